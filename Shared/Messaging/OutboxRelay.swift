import Foundation
import Logging
import Metrics
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// Publishes committed outbox rows to `exam.events` and marks them published (a worker role).
///
/// Rows are taken from the queue of events not yet published (`outbox_pending`, filled by a
/// trigger on every insert), so one whose transaction committed late is still found. The 16
/// partitions (by aggregate) are each published by one relay at a time, under a
/// transaction-scoped advisory lock held until the rows are marked, in id order: any number of
/// relays share the work and an aggregate's events keep their order. A relay that dies after the
/// broker confirmed but before marking leaves the rows unmarked; they go out again and consumers,
/// which are idempotent, apply them once.
public final class OutboxRelay: Service, Sendable {
    private let postgres: PostgresClient
    private let publisher: AMQPClient
    private let batchSize: Int
    private let pollInterval: Duration
    private let logger: Logger
    /// For fault-injection tests only: runs after the broker confirmed a batch, before marking.
    private let afterPublish: (@Sendable () -> Void)?
    private let published = Counter(label: "outbox_published_total")
    /// Routing keys this process has already reported as unroutable: an operator needs one error
    /// per missing binding, not one per batch (the counter keeps the running total).
    private let reportedUnroutable = Mutex<Set<String>>([])
    private static let partitions = 16
    /// Partition p is relayed under advisory lock `lockBase + p`; `MessageRetention` uses `lockBase - 1`.
    static let lockBase: Int64 = 2019_0900_00

    public init(
        postgres: PostgresClient, publisher: AMQPClient, batchSize: Int = 500, pollInterval: Duration = .milliseconds(50),
        logger: Logger, afterPublish: (@Sendable () -> Void)? = nil
    ) {
        self.postgres = postgres
        self.publisher = publisher
        self.batchSize = batchSize
        self.pollInterval = pollInterval
        self.logger = logger
        self.afterPublish = afterPublish
    }

    public func run() async throws {
        await runUntilGracefulShutdown("outbox relay", logger: logger) {
            var backoff = Duration.milliseconds(100)
            while !Task.isCancelled {
                do {
                    let backlog = try await self.relayOnce()
                    backoff = .milliseconds(100)
                    // Straight on only while a partition has more than a pass takes. Otherwise
                    // events gather for a moment: a pass costs a transaction, a probe per
                    // partition and a broker confirm whatever its size, so under a steady stream
                    // a few large passes cost far less than many small ones (an event waits at
                    // most `pollInterval` longer).
                    if !backlog { try? await Task.sleep(for: self.pollInterval) }
                } catch {
                    self.logger.warning("relay failed; retrying", metadata: ["error": "\(error)", "in": "\(backoff)"])
                    try? await Task.sleep(for: backoff)
                    backoff = min(backoff * 2, .seconds(5))
                }
            }
        }
    }

    /// One pass: lock the partitions that have work and that no other relay holds, publish their
    /// oldest rows, mark them, all in one transaction; returns whether a partition had more rows
    /// waiting than the pass took (a backlog, to go straight on with).
    ///
    /// One transaction for all partitions, not one per partition: under a steady stream of
    /// submissions each partition holds a few rows per pass, and six round trips per partition
    /// cost the worker and PostgreSQL more than publishing did.
    @discardableResult
    public func relayOnce() async throws -> Bool {
        try await postgres.withTransaction(logger: logger) { transaction in
            // One index probe per partition (a DISTINCT over the queue would walk every entry
            // left by recently published rows); at most half the partitions, in random
            // order, so that a second relay finds work to share.
            var locked: [Int] = []
            for try await partition in try await transaction.query(
                """
                WITH waiting AS MATERIALIZED (
                  SELECT p FROM generate_series(0, \(Self.partitions - 1)) p
                   WHERE EXISTS (SELECT 1 FROM outbox_pending WHERE partition = p)
                   ORDER BY random() LIMIT \(Self.partitions / 2))
                SELECT p FROM waiting WHERE pg_try_advisory_xact_lock(\(Self.lockBase) + p)
                """, logger: logger
            ).decode(Int.self) {
                locked.append(partition)
            }
            guard !locked.isEmpty else { return false }
            // Each partition's oldest rows, in id order: an aggregate's events keep their order.
            let perPartition = max(batchSize / locked.count, 1)
            var rows: [Row] = []
            let query = try await transaction.query(
                """
                SELECT p, e.id, e.message_id, e.event_type, e.routing_key, e.payload
                  FROM unnest(\(locked)) p,
                       LATERAL (SELECT id FROM outbox_pending WHERE partition = p ORDER BY id LIMIT \(perPartition)) q
                  JOIN outbox_event e ON e.id = q.id
                 ORDER BY e.id
                """, logger: logger)
            for try await (partition, id, messageID, eventType, routingKey, payload) in query.decode((Int, Int64, UUID, String, String, ByteBuffer).self) {
                rows.append(Row(
                    partition: partition,
                    id: id,
                    message: OutgoingMessage(
                        exchange: Exchanges.events, routingKey: routingKey, messageID: messageID.uuidString.lowercased(), type: eventType,
                        body: Array(payload.readableBytesView))))
            }
            guard !rows.isEmpty else { return false }
            var unroutable: Set<String> = []
            do {
                try await publisher.publish(rows.map(\.message))
            } catch let error as AMQPError where error.code == .unroutable {
                unroutable = Set(error.unroutableMessageIDs)
            }
            afterPublish?()
            // Off the queue, sent or parked, in the transaction that marks them.
            try await transaction.query(
                """
                DELETE FROM outbox_pending q USING unnest(\(rows.map { Int16($0.partition) })::smallint[], \(rows.map(\.id))::bigint[]) AS t(partition, id)
                WHERE q.partition = t.partition AND q.id = t.id
                """, logger: logger)
            let parkedRows = rows.filter { unroutable.contains($0.message.messageID) }
            let sent = rows.filter { !unroutable.contains($0.message.messageID) }.map(\.id)
            if !sent.isEmpty {
                try await transaction.query("UPDATE outbox_event SET published_at = now() WHERE id = ANY(\(sent))", logger: logger)
            }
            if !parkedRows.isEmpty {
                try await transaction.query(
                    "UPDATE outbox_event SET parked_at = now(), last_error = 'unroutable: no queue is bound to this routing key' WHERE id = ANY(\(parkedRows.map(\.id)))",
                    logger: logger)
                reportParked(parkedRows.map(\.message.routingKey))
            }
            published.increment(by: sent.count)
            return Dictionary(grouping: rows, by: \.partition).values.contains { $0.count == perPartition }
        }
    }

    private struct Row {
        let partition: Int
        let id: Int64
        let message: OutgoingMessage
    }

    private func reportParked(_ routingKeys: [String]) {
        for (routingKey, count) in Dictionary(grouping: routingKeys, by: { $0 }).mapValues(\.count) {
            Counter(label: "outbox_parked_total", dimensions: [("routing_key", routingKey)]).increment(by: count)
            let first = reportedUnroutable.withLock { $0.insert(routingKey).inserted }
            logger.log(
                level: first ? .error : .debug, "no queue takes these events; parked",
                metadata: ["routing_key": "\(routingKey)", "count": "\(count)"])
        }
    }
}
