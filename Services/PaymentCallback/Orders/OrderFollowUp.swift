import CandidateLifecycle
import Contracts
import Foundation
import Logging
import Messaging
import Payments
import PostgresNIO
import ServiceLifecycle
import Storage

/// The worker's periodic care of orders:
/// - the active query: an order still open `queryAfter` after it was made is asked about at its
///   provider, and the answer goes into the inbox like a notification (so a lost notification
///   still ends in `paid`, applied by the same code, once);
/// - an order the provider has no payment for is expired once its time is up;
/// - after the year's payment deadline, candidates who never paid become `invalid`.
final class OrderFollowUp: Service, Sendable {
    let postgres: PostgresClient
    let queries: ProviderQueries
    let inbox: NotificationInbox
    let queryAfter: Duration
    let interval: Duration
    let orders: PaymentOrderStore
    let logger: Logger

    init(postgres: PostgresClient, queries: ProviderQueries, inbox: NotificationInbox, queryAfter: Duration, interval: Duration = .seconds(1), logger: Logger) {
        self.postgres = postgres
        self.queries = queries
        self.inbox = inbox
        self.queryAfter = queryAfter
        self.interval = interval
        self.orders = PaymentOrderStore(postgres: postgres, logger: logger)
        self.logger = logger
    }

    /// Not cancelled at shutdown, only stopped between passes: queries in flight finish (within
    /// their 5 s timeout), because cancelling URLSession's tasks crashes swift-corelibs-foundation
    /// ("Trying to access a behaviour for a task that in not in the registry").
    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            var asked = 0
            do {
                asked = try await queryPendingOrders()
                try await invalidateAfterDeadline()
            } catch {
                if Task.isCancelled { return }
                logger.warning("order follow-up failed", metadata: ["error": "\(String(reflecting: type(of: error)))"])
            }
            if asked == 0 { try? await Task.sleep(for: interval) }
        }
    }

    /// Asks about up to 200 silent orders (each at most every 30 s), 16 at a time; how many it asked about.
    func queryPendingOrders() async throws -> Int {
        let seconds = Int(queryAfter.components.seconds)
        let due = try await postgres.withTransaction(logger: logger) { connection in
            var due: [(String, PaymentProvider, Bool)] = []
            for try await (orderNo, provider, expired) in try await connection.query(
                """
                WITH due AS (
                    SELECT order_no FROM payment_order
                    WHERE status = 'open' AND created_at < now() - make_interval(secs => \(seconds))
                      AND (last_queried_at IS NULL OR last_queried_at < now() - interval '30 seconds')
                    ORDER BY created_at LIMIT 200 FOR UPDATE SKIP LOCKED
                )
                UPDATE payment_order o SET last_queried_at = now() FROM due WHERE o.order_no = due.order_no
                RETURNING o.order_no, o.provider, o.expires_at < now()
                """, logger: logger
            ).decode((String, String, Bool).self) {
                if let provider = PaymentProvider(rawValue: provider) { due.append((orderNo, provider, expired)) }
            }
            return due
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, (orderNo, provider, expired)) in due.enumerated() {
                if Task.isShuttingDownGracefully { break }  // the rest are asked 30 s later, by whichever worker runs
                if index >= 16 { try await group.next() }
                group.addTask { try await self.follow(orderNo, provider: provider, expired: expired) }
            }
            try await group.waitForAll()
        }
        return due.count
    }

    private func follow(_ orderNo: String, provider: PaymentProvider, expired: Bool) async throws {
        let answer: ProviderQueries.Answer
        do {
            answer = try await queries.query(provider, orderNo: orderNo)
        } catch {
            // The kind of failure only: a transport error's text repeats the whole URL.
            logger.warning("order query failed", metadata: ["provider": "\(provider.rawValue)", "error": "\(Self.kind(of: error))"])
            return
        }
        switch answer {
        case .trade(let notification) where notification.kind != .other:
            try await inbox.store(notification, raw: Array("active query".utf8), source: "query")
        case .trade, .noTrade:
            if expired {
                try await postgres.query("UPDATE payment_order SET status = 'expired' WHERE order_no = \(orderNo) AND status = 'open'", logger: logger)
            }
        }
    }

    static func kind(of error: any Error) -> String {
        if let refusal = error as? NotificationRefusal { return refusal.code }
        let nsError = error as NSError
        return "\(nsError.domain) \(nsError.code)"
    }

    /// After the current year's payment deadline: every candidate of the year not paid (nor
    /// exempt) becomes `invalid`, with the transition and `CandidateInvalidated`.
    func invalidateAfterDeadline() async throws {
        // Asked first, on its own: joined with the candidates, the planner read every
        // registration on every pass (0.4 s each) even before the deadline.
        guard let window = try await orders.currentWindow(), !window.isOpen(at: Date()) else { return }
        let year = window.year
        try await postgres.withTransaction(logger: logger) { connection in
            var invalid: [(Int64, String, Int)] = []
            for try await row in try await connection.query(
                """
                SELECT c.id, c.status, r.year FROM registration r JOIN candidate_account c ON c.id = r.candidate_id
                WHERE r.year = \(year) AND c.status IN ('registered', 'submitted', 'pending_city_review', 'confirmed')
                ORDER BY c.id LIMIT 1000 FOR UPDATE OF c SKIP LOCKED
                """, logger: logger
            ).decode((Int64, String, Int).self) {
                invalid.append(row)
            }
            guard !invalid.isEmpty else { return }
            try await CandidateLifecycle.apply(
                try invalid.compactMap { id, status, year in
                    guard let from = CandidateStatus(rawValue: status) else { return nil }
                    let event = CandidateInvalidated(candidateID: id, year: year, previousStatus: status, reason: "payment_deadline")
                    return try CandidateMove(
                        id, from: from, to: .invalid, by: .system(source: "payment-deadline"), reason: "payment_deadline",
                        event: try OutboxEvent(Envelope(event: event), aggregateID: "candidate-\(id)", routingKey: CandidateInvalidated.routingKey))
                }, on: connection, logger: logger)
            logger.info("candidates invalid after the payment deadline", metadata: ["count": "\(invalid.count)"])
        }
    }
}
