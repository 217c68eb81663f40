import Foundation
import Logging
import PostgresNIO
import Settings
import Storage
import Synchronization

/// The servers ops/test started, read from the same variables the services read (with the test
/// stack's defaults), so that `swift test` also runs against a stack started by hand.
enum TestStack {
    static let environment = ProcessInfo.processInfo.environment
    static let reader = SettingsReader(arguments: ["tests"], environment: defaults.merging(environment) { $1 })

    static let defaults = [
        "POSTGRES_PORT": "25432", "REDIS_PORT": "26379", "AMQP_PORT": "25673",
        "POSTGRES_OWNER_USER": "exam_owner", "POSTGRES_OWNER_PASSWORD": "exam_owner_local",
    ]

    static var postgres: PostgresSettings { try! PostgresSettings(reader: reader) }
    static var redis: RedisSettings { try! RedisSettings(reader: reader) }
    static var amqp: AMQPSettings { try! AMQPSettings(reader: reader) }

    /// The schema owner, who may create the scratch databases the migration tests start from.
    static func ownerSettings(database: String) -> PostgresSettings {
        var settings = postgres
        settings.user = value("POSTGRES_OWNER_USER")
        settings.password = value("POSTGRES_OWNER_PASSWORD")
        settings.database = database
        return settings
    }

    static func value(_ name: String) -> String { environment[name] ?? defaults[name]! }

    static var repository: URL {
        environment["EXAM_REPOSITORY"].map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static var binDirectory: URL {
        environment["EXAM_BIN_DIR"].map { URL(fileURLWithPath: $0) } ?? repository.appendingPathComponent(".build/debug")
    }

    static var gateway: String { environment["EXAM_GATEWAY_URL"] ?? "http://127.0.0.1:28080" }

    static let logger: Logger = {
        var logger = Logger(label: "tests")
        // .error: the pool warns when a query is queued a moment before its run() starts.
        logger.logLevel = .error
        return logger
    }()
}

/// Runs `body` with a client whose pool runs for exactly that long.
func withPostgres<T: Sendable>(
    _ settings: PostgresSettings = TestStack.postgres, _ body: @Sendable (PostgresClient) async throws -> T
) async throws -> T {
    let client = PostgresClient(configuration: .init(settings: settings), backgroundLogger: TestStack.logger)
    do {
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    } catch let error as PSQLError {
        // PSQLError's description hides the server's message; test data holds no personal data,
        // so a failing test says what PostgreSQL said.
        throw DatabaseFailure(detail: String(reflecting: error))
    }
}

struct DatabaseFailure: Error, CustomStringConvertible {
    let detail: String
    var description: String { detail }
}

/// A new, empty database owned by the schema owner, dropped afterwards (ops/test lets the owner
/// end the sessions still on it, autovacuum's too).
func withScratchDatabase<T: Sendable>(_ body: @Sendable (PostgresSettings) async throws -> T) async throws -> T {
    let name = "scratch_\(UInt32.random(in: 0...UInt32.max))"
    let admin = TestStack.ownerSettings(database: TestStack.postgres.database)
    try await runRetryingWhileInUse("CREATE DATABASE \(name)", admin)
    do {
        let result = try await body(TestStack.ownerSettings(database: name))
        try await runRetryingWhileInUse("DROP DATABASE IF EXISTS \(name) WITH (FORCE)", admin)
        return result
    } catch {
        try? await runRetryingWhileInUse("DROP DATABASE IF EXISTS \(name) WITH (FORCE)", admin)
        throw error
    }
}

/// Creating and dropping a database fail with object_in_use (55006) when a session on the
/// template, or on the dropped database, is still there after PostgreSQL's 5 s wait. Sessions
/// that a pool has just closed can take that long to exit on a loaded 2-core machine.
private func runRetryingWhileInUse(_ sql: String, _ admin: PostgresSettings) async throws {
    for attempt in 1...3 {
        let done = try await withPostgres(admin) { client in
            do {
                try await client.query(PostgresQuery(unsafeSQL: sql), logger: TestStack.logger)
                return true
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == "55006" && attempt < 3 {
                return false
            }
        }
        if done { return }
        try await Task.sleep(for: .seconds(1))
    }
}

/// A port below Linux's ephemeral range that nothing listens on now and that no other test of
/// this run was given. Tests run at once: two given the same random port once met in CI (a
/// service meant to find no Redis there found another test's, started, and never exited).
func unusedPort() -> Int { unusedPorts(1) }

/// The first of `count` consecutive such ports (a RabbitMQ node needs three).
func unusedPorts(_ count: Int) -> Int {
    while true {
        let first = nextTestPort.withLock { next in
            if next + count - 1 > testPorts.upperBound { next = testPorts.lowerBound }
            defer { next += count }
            return next
        }
        if !(first..<first + count).contains(where: portIsOpen) { return first }
    }
}

private let testPorts = 27_100...29_900
private let nextTestPort = Mutex(Int.random(in: testPorts))

func portIsOpen(_ port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
}
