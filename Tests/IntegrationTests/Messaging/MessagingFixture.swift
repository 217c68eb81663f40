import Foundation
import Logging
import Messaging
import PostgresNIO
import Settings
import Storage

/// A migrated scratch database with the probe's effect table, and a work queue of the test's own.
struct MessagingFixture: Sendable {
    let settings: PostgresSettings
    let client: PostgresClient
    let queue: WorkQueue

    var database: String { settings.database }

    static func run<T: Sendable>(
        retryDelays: [Duration] = [.milliseconds(200)], maxAttempts: Int = 3, _ body: @Sendable (MessagingFixture) async throws -> T
    ) async throws -> T {
        let migrations = try MigrationCatalog.load(repositoryRoot: TestStack.repository)
        return try await withScratchDatabase { settings in
            try await withPostgres(settings) { client in
                try await Migrator(migrations: migrations, logger: TestStack.logger).apply(on: client)
                try await client.query("CREATE TABLE probe_effect (id bigserial PRIMARY KEY, message_id text NOT NULL, body bytea)", logger: TestStack.logger)
                let name = "test.\(UUID().uuidString.prefix(8).lowercased())"
                // The probe declares its queue with these settings; they must match.
                let queue = WorkQueue(name: name, bindingKeys: ["\(name).event"], retryDelays: retryDelays, maxAttempts: maxAttempts)
                // The test's queues go with it: idle quorum queues left behind slow the broker down.
                let queues = [queue.name, queue.deadLetterQueue] + Set(retryDelays.indices.map { queue.retryQueue(beforeAttempt: $0 + 2) }).sorted()
                let broker = AMQPClient(settings: TestStack.amqp, topology: Topology(), logger: TestStack.logger)
                do {
                    let result = try await body(MessagingFixture(settings: settings, client: client, queue: queue))
                    try? await broker.delete(queues: queues)
                    await broker.close()
                    return result
                } catch {
                    try? await broker.delete(queues: queues)
                    await broker.close()
                    throw error
                }
            }
        }
    }

    func scalar(_ sql: String) async throws -> Int {
        try await client.query(PostgresQuery(unsafeSQL: sql), logger: TestStack.logger).decode(Int.self).first { _ in true } ?? -1
    }

    /// Applications of messages (duplicates would be counted), and distinct messages applied.
    func effects() async throws -> (total: Int, distinct: Int) {
        (try await scalar("SELECT count(*)::int FROM probe_effect"), try await scalar("SELECT count(DISTINCT message_id)::int FROM probe_effect"))
    }

    func message(_ index: Int, id: UUID = UUID()) -> OutgoingMessage {
        OutgoingMessage(
            exchange: Exchanges.events, routingKey: queue.bindingKeys[0], messageID: id.uuidString.lowercased(), type: "ProbeEvent",
            body: Array("message \(index)".utf8))
    }

    /// Commits `count` outbox rows for the queue's routing key, spread over `aggregates`.
    func commitOutboxRows(_ count: Int, aggregates: Int = 50) async throws {
        try await client.withTransaction(logger: TestStack.logger) { transaction in
            for index in 0..<count {
                try await transaction.query(
                    """
                    INSERT INTO outbox_event (message_id, aggregate_id, event_type, schema_version, routing_key, payload)
                    VALUES (\(UUID()), \("aggregate-\(index % aggregates)"), 'ProbeEvent', 1, \(queue.bindingKeys[0]), \(ByteBuffer(string: "row \(index)")))
                    """, logger: TestStack.logger)
            }
        }
    }
}
