import Foundation
import Storage
import Testing

@Suite final class MigrationCatalogTests {
    private var roots: [URL] = []

    deinit { for root in roots { try? FileManager.default.removeItem(at: root) } }

    /// A scratch repository with the given files (paths relative to its root), removed afterwards.
    private func repository(_ files: [String: String]) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("migrations-\(UUID().uuidString)")
        roots.append(root)
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return root
    }

    @Test func findsEveryModulesMigrationsInNumberOrder() throws {
        let root = try repository([
            "Shared/Storage/Migrations/0001_tree.sql": "CREATE TABLE a (x int);",
            "Services/Registration/Migrations/0003_candidates.sql": "CREATE TABLE c (x int);",
            "Services/Confirmation/Migrations/0002_points.sql": "CREATE TABLE b (x int);",
            "Services/Confirmation/Migrations/README.md": "not a migration",
        ])
        let migrations = try MigrationCatalog.load(repositoryRoot: root)
        #expect(migrations.map(\.version) == [1, 2, 3])
        #expect(migrations.map(\.name) == ["tree", "points", "candidates"])
        #expect(migrations[2].file == "Services/Registration/Migrations/0003_candidates.sql")
    }

    @Test func refusesTwoFilesWithOneNumber() throws {
        let root = try repository([
            "Shared/Storage/Migrations/0001_tree.sql": "SELECT 1;",
            "Services/Review/Migrations/0001_reviews.sql": "SELECT 2;",
        ])
        #expect(throws: MigrationError.self) { try MigrationCatalog.load(repositoryRoot: root) }
    }

    @Test(arguments: ["1_tree.sql", "0001-tree.sql", "0001_Tree.sql", "00a1_tree.sql", "0000_zero.sql"])
    func refusesBadlyNamedFiles(name: String) throws {
        let root = try repository(["Shared/Storage/Migrations/\(name)": "SELECT 1;"])
        #expect(throws: MigrationError.self) { try MigrationCatalog.load(repositoryRoot: root) }
    }

    @Test func checksumFollowsEveryByte() {
        let a = Migration(version: 1, name: "a", file: "a", sql: "CREATE TABLE a (x int);")
        let b = Migration(version: 1, name: "a", file: "a", sql: "CREATE TABLE a (x int); ")
        #expect(a.checksum != b.checksum)
        #expect(a.checksum.count == 64)
    }

    @Test func theRepositorysOwnMigrationsLoad() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let migrations = try MigrationCatalog.load(repositoryRoot: root)
        #expect(migrations.first?.name == "organisation_tree")
        #expect(migrations.map(\.version) == Array(1...migrations.count))
    }
}
