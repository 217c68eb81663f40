import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

/// Deletes what messaging leaves behind once it is older than `retention` (a worker role, beside
/// the relay): published outbox events (once the broker confirmed them they are only history;
/// parked and unpublished ones are never deleted, whatever their age), and consumers' dedupe rows
/// (`processed_message`: no copy of a message arrives that late). A season leaves millions of each.
///
/// It runs at start and then hourly, in short transactions of its own, so that relaying never
/// waits for it; with several workers, one trims at a time and the others skip the pass.
public struct MessageRetention: Service {
    public static let retention: Duration = .seconds(30 * 86_400)
    private static let interval: Duration = .seconds(3_600)
    /// Next to the relay's partition locks (`OutboxRelay.lockBase + p`).
    private static let lock = OutboxRelay.lockBase - 1

    private let postgres: PostgresClient
    private let logger: Logger

    public init(postgres: PostgresClient, logger: Logger) {
        self.postgres = postgres
        self.logger = logger
    }

    public func run() async throws {
        await runUntilGracefulShutdown("outbox retention", logger: logger) {
            while !Task.isCancelled {
                do {
                    let cutoff = Date(timeIntervalSinceNow: -Double(Self.retention.components.seconds))
                    try await trimPublished(before: cutoff)
                    try await trimProcessed(before: cutoff)
                } catch {
                    logger.warning("outbox retention failed; trying again at the next pass", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: Self.interval)
            }
        }
    }

    /// Deletes the events published before `cutoff`, `batch` rows per transaction so that no
    /// transaction grows with the backlog; returns how many it deleted (0 when another worker
    /// holds the pass).
    @discardableResult
    public func trimPublished(before cutoff: Date, batch: Int = 5_000) async throws -> Int {
        // The ids worth reading end where the events created after the cutoff begin (an event is
        // published after it is created): found once, so that a pass reads only old rows.
        var end = Int64.max
        for try await id in try await postgres.query(
            "SELECT coalesce((SELECT id FROM outbox_event WHERE created_at >= \(cutoff) ORDER BY id LIMIT 1), \(Int64.max))",
            logger: logger
        ).decode(Int64.self) { end = id }
        var after: Int64 = 0, total = 0
        while true {
            let deleted: [Int64] = try await postgres.withTransaction(logger: logger) { transaction in
                var mine = false
                for try await locked in try await transaction.query("SELECT pg_try_advisory_xact_lock(\(Self.lock))", logger: logger)
                    .decode(Bool.self) { mine = locked }
                guard mine else { return [] }
                var ids: [Int64] = []
                for try await id in try await transaction.query(
                    """
                    DELETE FROM outbox_event WHERE id IN (
                      SELECT id FROM outbox_event WHERE id > \(after) AND id < \(end) AND published_at < \(cutoff) ORDER BY id LIMIT \(batch))
                    RETURNING id
                    """, logger: logger
                ).decode(Int64.self) { ids.append(id) }
                return ids
            }
            guard let last = deleted.max() else { break }
            total += deleted.count
            after = last
        }
        if total > 0 { logger.info("published events past their retention deleted", metadata: ["count": "\(total)"]) }
        return total
    }

    /// Deletes consumers' dedupe rows recorded before `cutoff`, `batch` rows per transaction;
    /// returns how many (0 when another worker holds the pass).
    @discardableResult
    public func trimProcessed(before cutoff: Date, batch: Int = 5_000) async throws -> Int {
        var total = 0
        while true {
            let deleted: Int = try await postgres.withTransaction(logger: logger) { transaction in
                var mine = false
                for try await locked in try await transaction.query("SELECT pg_try_advisory_xact_lock(\(Self.lock))", logger: logger)
                    .decode(Bool.self) { mine = locked }
                guard mine else { return 0 }
                return try await transaction.query(
                    """
                    WITH gone AS (
                        DELETE FROM processed_message WHERE ctid = ANY(ARRAY(
                            SELECT ctid FROM processed_message WHERE processed_at < \(cutoff) LIMIT \(batch)))
                        RETURNING 1
                    )
                    SELECT count(*)::int FROM gone
                    """, logger: logger
                ).decode(Int.self).first { _ in true } ?? 0
            }
            guard deleted > 0 else { break }
            total += deleted
        }
        if total > 0 { logger.info("consumers' dedupe rows past their retention deleted", metadata: ["count": "\(total)"]) }
        return total
    }
}
