import Crypto
import Foundation

/// One numbered SQL file, e.g. `Shared/Storage/Migrations/0001_organisation_tree.sql`. Each
/// service keeps its own tables' files in its `Migrations/` folder; the numbers are global.
public struct Migration: Sendable, Equatable {
    public let version: Int
    public let name: String
    /// Where it was found, relative to the repository; for messages.
    public let file: String
    public let sql: String
    /// SHA-256 of the file: an applied migration whose file changed is refused, not re-run.
    public let checksum: String

    public init(version: Int, name: String, file: String, sql: String) {
        self.version = version
        self.name = name
        self.file = file
        self.sql = sql
        self.checksum = SHA256.hash(data: Data(sql.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

public struct MigrationError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

public enum MigrationCatalog {
    /// The folders searched below the repository root.
    static let searchRoots = ["Shared", "Services"]

    /// Every `NNNN_name.sql` under `Shared/*/Migrations` and `Services/*/Migrations`, in order.
    public static func load(repositoryRoot: URL) throws -> [Migration] {
        let files = FileManager.default
        var migrations: [Migration] = []
        for root in searchRoots {
            let rootURL = repositoryRoot.appendingPathComponent(root)
            guard let modules = try? files.contentsOfDirectory(atPath: rootURL.path) else { continue }
            for module in modules.sorted() {
                let folder = rootURL.appendingPathComponent(module).appendingPathComponent("Migrations")
                guard let names = try? files.contentsOfDirectory(atPath: folder.path) else { continue }
                for fileName in names.sorted() where fileName.hasSuffix(".sql") {
                    let relative = "\(root)/\(module)/Migrations/\(fileName)"
                    guard let (version, name) = parse(fileName) else {
                        throw MigrationError("\(relative): a migration's name must be NNNN_lowercase_words.sql")
                    }
                    let sql = try String(contentsOf: folder.appendingPathComponent(fileName), encoding: .utf8)
                    migrations.append(Migration(version: version, name: name, file: relative, sql: sql))
                }
            }
        }
        migrations.sort { $0.version < $1.version }
        for (earlier, later) in zip(migrations, migrations.dropFirst()) where earlier.version == later.version {
            throw MigrationError("\(earlier.file) and \(later.file) have the same number")
        }
        return migrations
    }

    static func parse(_ fileName: String) -> (Int, String)? {
        let stem = fileName.dropLast(".sql".count)
        let parts = stem.split(separator: "_", maxSplits: 1)
        guard parts.count == 2, parts[0].count == 4, let version = Int(parts[0]), version > 0,
            parts[1].allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") })
        else { return nil }
        return (version, String(parts[1]))
    }
}
