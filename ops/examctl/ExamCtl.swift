import Access
import Foundation
import Logging
import PostgresNIO
import ReviewService
import Settings
import Storage

/// Operations staff's command for the database. It connects as the schema owner
/// (POSTGRES_USER=exam_owner in ops/), never as the services' role.
///
///     examctl migrate                        apply new migrations; load shipped reference data into empty tables
///     examctl import-reference TABLE FILE    replace a reference table from a (corrected) CSV file
///     examctl dlq show QUEUE [N] | replay QUEUE   inspect or replay a work queue's dead letters
///     examctl create-province-admin USERNAME NAME PHONE   the first province administrator (password on stdin)
///     examctl recount [--check]              the Review service's candidate counts rebuilt from the tables, differences listed
@main
struct ExamCtl {
    static let usage = """
        usage: examctl migrate
               examctl import-reference {\(ReferenceTable.allCases.map(\.rawValue).joined(separator: "|"))} FILE.csv
               examctl dlq show QUEUE [N] | dlq replay QUEUE
               examctl create-province-admin USERNAME NAME PHONE   (the password is read from standard input)
               examctl recount [--check]   (--check: list the differences, change nothing; exit 2 if there are any)
        settings: POSTGRES_HOST, POSTGRES_PORT, POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DATABASE; EXAM_REPOSITORY (default: .)
        """

    static func main() async {
        let words = CommandLine.arguments.dropFirst().prefix { !$0.hasPrefix("--") }
        let flags = Set(CommandLine.arguments.dropFirst().filter { $0.hasPrefix("--") })
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
                case let command where command.count == 4 && command[0] == "create-province-admin":
                    try await createProvinceAdministrator(
                        username: command[1], name: command[2], phone: command[3], reader: reader, client: client, logger: logger)
                case ["recount"]:
                    let differences = try await client.withTransaction(logger: logger) { connection in
                        try await CandidateStatistics.differences(rebuild: !flags.contains("--check"), on: connection, logger: logger)
                    }
                    for d in differences {
                        print("\(d.year) \(d.node) \(d.status) \(d.level.isEmpty ? "-" : d.level) \(d.subjectCategory.isEmpty ? "-" : d.subjectCategory) exemption=\(d.exemption.isEmpty ? "-" : d.exemption) bonus=\(d.bonus.isEmpty ? "-" : d.bonus): counted \(d.counted), actual \(d.actual)")
                    }
                    print("\(differences.count) difference(s)" + (flags.contains("--check") ? "" : "; the counts are rebuilt from the tables"))
                    if flags.contains("--check") && !differences.isEmpty { exit(2) }
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

extension ExamCtl {
    /// The first account of the staff console; every later one is applied for and approved in
    /// the console. The password comes on standard input, never on the command line (which `ps`
    /// shows to every user).
    static func createProvinceAdministrator(
        username: String, name: String, phone: String, reader: SettingsReader, client: PostgresClient, logger: Logger
    ) async throws {
        var problems: [String] = []
        if username.range(of: "^[a-z0-9_]{4,32}$", options: .regularExpression) == nil {
            problems.append("USERNAME: 4-32 lower-case letters, digits or _")
        }
        if let problem = ContactRules.nameProblem(name) { problems.append("NAME: \(problem.message)") }
        if let problem = ContactRules.mobileProblem(phone) { problems.append("PHONE: \(problem.message)") }
        let password = readLine(strippingNewline: true) ?? ""
        if let problem = PasswordPolicy.problem(with: password, login: username) { problems.append("password: \(problem.message)") }
        guard problems.isEmpty else { throw CommandFailure(problems.joined(separator: "; ")) }
        let cipher = PersonalDataCipher(settings: try PersonalDataSettings(reader: reader))
        let store = StaffAccountStore(postgres: client, cipher: cipher, logger: logger)
        let hash = try await PasswordHasher().hash(password)
        let operatorName = ProcessInfo.processInfo.environment["SUDO_USER"] ?? ProcessInfo.processInfo.environment["USER"] ?? "operations"
        guard let id = try await store.createProvinceAdministrator(
            username: username, name: name, phone: phone, passwordHash: hash, operatorName: operatorName)
        else {
            throw CommandFailure("username \(username) is taken, or the province is not loaded (run examctl migrate)")
        }
        print("created province administrator \(username) (staff account \(id))")
    }
}

struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

struct UsageError: Error {}

extension ReferenceImportReport {
    var summary: String { "\(inserted) inserted, \(updated) updated, \(unchanged) unchanged, \(retired) retired" }
}
