import Foundation
import Logging
import PostgresNIO
import Settings
import Storage

/// Operations staff's command for the database. It connects as the schema owner
/// (POSTGRES_USER=exam_owner in ops/), never as the services' role.
///
///     examctl migrate                        apply new migrations; load shipped reference data into empty tables
///     examctl import-reference TABLE FILE    replace a reference table from a (corrected) CSV file
///     examctl dlq show QUEUE [N] | replay QUEUE   inspect or replay a work queue's dead letters
@main
struct ExamCtl {
    static let usage = """
        usage: examctl migrate
               examctl import-reference {\(ReferenceTable.allCases.map(\.rawValue).joined(separator: "|"))} FILE.csv
               examctl dlq show QUEUE [N] | dlq replay QUEUE
        settings: POSTGRES_HOST, POSTGRES_PORT, POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DATABASE; EXAM_REPOSITORY (default: .)
        """

    static func main() async {
        let words = CommandLine.arguments.dropFirst().prefix { !$0.hasPrefix("--") }
        var logger = Logger(label: "examctl")
        logger.logLevel = .warning
        do {
            let reader = SettingsReader()
            if words.first == "dlq" {
                try await DeadLetters.run(Array(words.dropFirst()), settings: try AMQPSettings(reader: reader))
                return
            }
            let postgresSettings = try PostgresSettings(reader: reader)
            let repository = URL(fileURLWithPath: try reader.string("exam.repository", default: "."))
            let client = PostgresClient(configuration: .init(settings: postgresSettings), backgroundLogger: logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                defer { group.cancelAll() }
                switch Array(words) {
                case ["migrate"]:
                    try await migrate(repository: repository, client: client, logger: logger)
                case let command where command.count == 3 && command[0] == "import-reference":
                    guard let table = ReferenceTable(rawValue: command[1]) else { throw UsageError() }
                    let text = try String(contentsOfFile: command[2], encoding: .utf8)
                    let report = try await ReferenceImporter(logger: logger).importCSV(text, into: table, client: client)
                    print("\(table.rawValue): \(report.summary)")
                default:
                    throw UsageError()
                }
            }
        } catch is UsageError {
            FileHandle.standardError.write(Data((usage + "\n").utf8))
            exit(64)
        } catch {
            let message = (error as? PSQLError).map { String(reflecting: $0) } ?? "\(error)"
            FileHandle.standardError.write(Data("examctl: \(message)\n".utf8))
            exit(1)
        }
    }

    static func migrate(repository: URL, client: PostgresClient, logger: Logger) async throws {
        let migrations = try MigrationCatalog.load(repositoryRoot: repository)
        guard !migrations.isEmpty else { throw MigrationError("no migrations found under \(repository.path); set EXAM_REPOSITORY") }
        let applied = try await Migrator(migrations: migrations, logger: logger).apply(on: client)
        print(applied.isEmpty ? "schema is current (\(migrations.count) migrations)" : "applied migrations \(applied.map(String.init).joined(separator: ", "))")
        // Shipped reference data seeds empty tables only: a correction imported later must not be
        // undone by the next start.
        for table in ReferenceTable.allCases where try await ReferenceImporter.isEmpty(table, client: client, logger: logger) {
            let text = try String(contentsOf: repository.appendingPathComponent(table.shippedFile), encoding: .utf8)
            let report = try await ReferenceImporter(logger: logger).importCSV(text, into: table, client: client)
            print("\(table.rawValue): \(report.summary)")
        }
    }
}

struct UsageError: Error {}

extension ReferenceImportReport {
    var summary: String { "\(inserted) inserted, \(updated) updated, \(unchanged) unchanged, \(retired) retired" }
}
