import Contracts
import Foundation
import Logging
import Messaging
import PostgresNIO
import ServiceLifecycle
import Settings
import Storage
import Synchronization

/// `ops/bench messaging`: events per second from outbox insert to consumer-applied, beside the
/// broker's own publish-with-confirms + consume-with-acks rate, in the same run on this machine.
@main
struct MessagingBenchmark {
    static let events = Int(ProcessInfo.processInfo.environment["BENCH_EVENTS"] ?? "") ?? 50_000

    static func main() async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let reader = SettingsReader()
        let amqp = try AMQPSettings(reader: reader)
        let postgresSettings = try PostgresSettings(reader: reader)
        let postgres = PostgresClient(configuration: .init(settings: postgresSettings), backgroundLogger: logger)
        let pool = Task { await postgres.run() }
        defer { pool.cancel() }

        let raw = try await rawBroker(amqp: amqp, logger: logger)
        let endToEnd = try await outboxToConsumer(amqp: amqp, postgres: postgres, logger: logger)
        let ratio = endToEnd / raw
        print(String(format: "raw publish+consume with confirms/acks: %8.0f msg/s", raw))
        print(String(format: "outbox insert -> relay -> applied:      %8.0f events/s", endToEnd))
        print(String(format: "ratio end-to-end / raw:                 %8.2f   (%d events, %d cores)", ratio, events, ProcessInfo.processInfo.activeProcessorCount))
    }

    /// The ceiling: two connections publish batches of 500 with confirms while a receiver
    /// acknowledges every message; nothing touches the database.
    static func rawBroker(amqp: AMQPSettings, logger: Logger) async throws -> Double {
        let queue = WorkQueue(name: "bench.raw.\(UUID().uuidString.prefix(8).lowercased())", bindingKeys: ["bench.raw"])
        let publishers = (0..<2).map { _ in AMQPClient(settings: amqp, topology: Topology(workQueues: [queue]), logger: logger) }
        for publisher in publishers { try await publisher.ping() }
        let receiver = AMQPReceiver(settings: amqp, queue: queue.name, topology: Topology(workQueues: [queue]), prefetch: 256, logger: logger)
        let received = Atomic<Int>(0)
        let started = ContinuousClock.now
        let receiving = Task {
            try await receiver.run(
                batchLimit: 256,
                deliver: { batch in
                    for message in batch { receiver.acknowledge(message) }
                    if received.add(batch.count, ordering: .relaxed).newValue == events { receiver.stopReceiving() }
                },
                receivingEnded: { receiver.finish() })
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, publisher) in publishers.enumerated() {
                group.addTask {
                    for batch in stride(from: index * 500, to: events, by: 1_000) {
                        try await publisher.publish((batch..<min(batch + 500, events)).map {
                            OutgoingMessage(
                                exchange: Exchanges.events, routingKey: "bench.raw", messageID: UUID().uuidString, type: "Bench",
                                body: Array("event \($0)".utf8))
                        })
                    }
                }
            }
            try await group.waitForAll()
        }
        try await receiving.value
        let seconds = (ContinuousClock.now - started).seconds
        for publisher in publishers { await publisher.close() }
        return Double(events) / seconds
    }

    struct BenchEvent: DomainEvent {
        static let eventType = "BenchEvent"
        static let schemaVersion = 1
        let index: Int
    }

    struct Applier: MessageHandler {
        let consumerName = "bench"
        func handle(_ message: IncomingMessage, in transaction: PostgresConnection, logger: Logger) async throws {}
    }

    /// The system's path: writers commit outbox rows, two relays publish, a consumer applies each
    /// event in a transaction that records it (the idempotency insert is the applied effect here).
    static func outboxToConsumer(amqp: AMQPSettings, postgres: PostgresClient, logger: Logger) async throws -> Double {
        let key = "bench.e2e.\(UUID().uuidString.prefix(8).lowercased())"
        let queue = WorkQueue(name: key, bindingKeys: [key])
        // Two worker processes' worth of relays, each with its own connection, as in production.
        let publishers = (0..<2).map { _ in AMQPClient(settings: amqp, topology: Topology(workQueues: [queue]), logger: logger) }
        for publisher in publishers { try await publisher.ping() }
        try await postgres.query("DELETE FROM processed_message WHERE consumer = 'bench'", logger: logger)
        let relays = publishers.map { OutboxRelay(postgres: postgres, publisher: $0, logger: logger) }
        let consumer = QueueConsumer(queue: queue, handler: Applier(), concurrency: 512, batchSize: 128, settings: amqp, postgres: postgres, logger: logger)
        let group = ServiceGroup(configuration: .init(services: relays + [consumer], logger: logger))
        let running = Task { try await group.run() }

        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { writers in
            let perWriter = events / 4
            for writer in 0..<4 {
                writers.addTask {
                    for batch in stride(from: 0, to: perWriter, by: 100) {
                        let outbox = try (batch..<min(batch + 100, perWriter)).map { index in
                            try OutboxEvent(Envelope(event: BenchEvent(index: index)), aggregateID: "writer-\(writer)-\(index % 50)", routingKey: key)
                        }
                        try await postgres.withTransaction(logger: logger) { try await Outbox.append(outbox, in: $0, logger: logger) }
                    }
                }
            }
            try await writers.waitForAll()
        }
        while try await postgres.query("SELECT count(*)::int FROM processed_message WHERE consumer = 'bench'", logger: logger)
            .decode(Int.self).first(where: { _ in true }) ?? 0 < events
        {
            try await Task.sleep(for: .milliseconds(20))
        }
        let seconds = (ContinuousClock.now - started).seconds
        await group.triggerGracefulShutdown()
        _ = try? await running.value
        for publisher in publishers { await publisher.close() }
        return Double(events) / seconds
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
