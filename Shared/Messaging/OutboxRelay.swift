import Foundation
import Logging
import Metrics
import PostgresNIO
import ServiceLifecycle

/// Publishes committed outbox rows to `exam.events` and marks them published (a worker role).
///
/// Rows are chosen as "not yet published", so one whose transaction committed late is still
/// found. The 16 partitions (by aggregate) are each published by one relay at a time, under a
/// transaction-scoped advisory lock held until the rows are marked, in id order: any number of
/// relays share the work and an aggregate's events keep their order. A relay that dies after the
/// broker confirmed but before marking leaves the rows unmarked; they go out again and consumers,
/// which are idempotent, apply them once.
public final class OutboxRelay: Service, Sendable {
    private let postgres: PostgresClient
    private let publisher: AMQPClient
    private let batchSize: Int
    private let idleDelay: Duration
    private let logger: Logger
    /// For fault-injection tests only: runs after the broker confirmed a batch, before marking.
    private let afterPublish: (@Sendable () -> Void)?
    private let published = Counter(label: "outbox_published_total")
    private let parked = Counter(label: "outbox_parked_total")
    private static let partitions = 16
    private static let lockBase: Int64 = 2019_0900_00

    public init(
        postgres: PostgresClient, publisher: AMQPClient, batchSize: Int = 500, idleDelay: Duration = .milliseconds(50),
        logger: Logger, afterPublish: (@Sendable () -> Void)? = nil
    ) {
        self.postgres = postgres
        self.publisher = publisher
        self.batchSize = batchSize
        self.idleDelay = idleDelay
        self.logger = logger
        self.afterPublish = afterPublish
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var backoff = Duration.milliseconds(100)
            while !Task.isCancelled {
                do {
                    let count = try await self.relayOnce()
                    backoff = .milliseconds(100)
                    if count == 0 { try? await Task.sleep(for: self.idleDelay) }
                } catch {
                    self.logger.warning("relay failed; retrying", metadata: ["error": "\(error)", "in": "\(backoff)"])
                    try? await Task.sleep(for: backoff)
                    backoff = min(backoff * 2, .seconds(5))
                }
            }
        }
    }

    /// One pass over the partitions that have work; returns how many events went out.
    @discardableResult
    public func relayOnce() async throws -> Int {
        var waiting: [Int] = []
        // One index probe per partition: a DISTINCT over the partial index would walk every
        // entry left by recently published rows (59 ms each pass under load).
        for try await partition in try await postgres.query(
            """
            SELECT p FROM generate_series(0, \(Self.partitions - 1)) p
             WHERE EXISTS (SELECT 1 FROM outbox_event WHERE partition = p AND published_at IS NULL AND parked_at IS NULL)
            """, logger: logger
        ).decode(Int.self) {
            waiting.append(partition)
        }
        var total = 0
        for partition in waiting.shuffled() {
            total += try await relay(partition: partition)
        }
        return total
    }

    private struct Row {
        let id: Int64
        let message: OutgoingMessage
    }

    private func relay(partition: Int) async throws -> Int {
        try await postgres.withTransaction(logger: logger) { transaction in
            let lock = Self.lockBase + Int64(partition)
            let locked = try await transaction.query("SELECT pg_try_advisory_xact_lock(\(lock))", logger: logger)
                .decode(Bool.self).first { _ in true }
            guard locked == true else { return 0 }  // another relay has this partition now
            var rows: [Row] = []
            let query = try await transaction.query(
                """
                SELECT id, message_id, event_type, routing_key, payload FROM outbox_event
                 WHERE partition = \(partition) AND published_at IS NULL AND parked_at IS NULL
                 ORDER BY id LIMIT \(batchSize)
                """, logger: logger)
            for try await (id, messageID, eventType, routingKey, payload) in query.decode((Int64, UUID, String, String, ByteBuffer).self) {
                rows.append(Row(
                    id: id,
                    message: OutgoingMessage(
                        exchange: Exchanges.events, routingKey: routingKey, messageID: messageID.uuidString.lowercased(), type: eventType,
                        body: Array(payload.readableBytesView))))
            }
            guard !rows.isEmpty else { return 0 }
            var unroutable: Set<String> = []
            do {
                try await publisher.publish(rows.map(\.message))
            } catch let error as AMQPError where error.code == .unroutable {
                unroutable = Set(error.unroutableMessageIDs)
            }
            afterPublish?()
            let sent = rows.filter { !unroutable.contains($0.message.messageID) }.map(\.id)
            let parkedIDs = rows.filter { unroutable.contains($0.message.messageID) }.map(\.id)
            try await transaction.query("UPDATE outbox_event SET published_at = now() WHERE id = ANY(\(sent))", logger: logger)
            if !parkedIDs.isEmpty {
                logger.error("no queue takes these events; parked", metadata: ["count": "\(parkedIDs.count)"])
                try await transaction.query(
                    "UPDATE outbox_event SET parked_at = now(), last_error = 'unroutable: no queue is bound to this routing key' WHERE id = ANY(\(parkedIDs))",
                    logger: logger)
                parked.increment(by: parkedIDs.count)
            }
            published.increment(by: sent.count)
            return sent.count
        }
    }
}
