import Contracts
import Foundation
import Logging
import Messaging
import PostgresNIO
import ServiceLifecycle

/// Applies stored notifications (the inbox) in arrival order, several per transaction, taking
/// rows with `SKIP LOCKED` so that any number of worker processes share the work. A payment is
/// applied once per provider transaction (`payment_transaction`'s key) under the order's and the
/// candidate's row locks; the notification is marked applied in the same transaction, so a
/// crash anywhere leaves it to be applied again, never twice.
final class NotificationApplier: Service, Sendable {
    let postgres: PostgresClient
    let logger: Logger
    let batchSize: Int
    let idleDelay: Duration

    init(postgres: PostgresClient, logger: Logger, batchSize: Int = 200, idleDelay: Duration = .milliseconds(20)) {
        self.postgres = postgres
        self.logger = logger
        self.batchSize = batchSize
        self.idleDelay = idleDelay
    }

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let applied: Int
                do {
                    applied = try await self.applyNext()
                } catch is CancellationError {
                    return
                } catch {
                    self.logger.error("applying payment notifications failed", metadata: ["error": "\(String(reflecting: type(of: error)))"])
                    applied = 0
                }
                if applied == 0 { try await Task.sleep(for: self.idleDelay) }
            }
        }
    }

    struct Pending: Sendable {
        let id: Int64
        let provider: String
        let orderNo: String
        let tradeNo: String
        let kind: String
        let amountFen: Int
        let occurredAt: Date?
    }

    /// Applies up to `batchSize` waiting notifications; how many it applied.
    func applyNext() async throws -> Int {
        do {
            return try await postgres.withTransaction(logger: logger) { connection in
                let pending = try await self.take(batchSize, on: connection)
                for notification in pending { try await self.apply(notification, on: connection) }
                return pending.count
            }
        } catch {
            // One of them cannot be applied: apply them one by one, so that the rest go through.
            var applied = 0
            for _ in 0..<batchSize {
                let one = try await postgres.withTransaction(logger: logger) { connection in
                    let pending = try await self.take(1, on: connection)
                    for notification in pending { try await self.apply(notification, on: connection) }
                    return pending.count
                }
                if one == 0 { break }
                applied += one
            }
            return applied
        }
    }

    private func take(_ limit: Int, on connection: PostgresConnection) async throws -> [Pending] {
        let rows = try await connection.query(
            """
            SELECT id, provider, order_no, trade_no, kind, amount_fen, occurred_at FROM payment_notification
            WHERE applied_at IS NULL ORDER BY id LIMIT \(limit) FOR UPDATE SKIP LOCKED
            """, logger: logger)
        var pending: [Pending] = []
        for try await (id, provider, order, trade, kind, amount, occurred) in rows.decode((Int64, String, String, String, String, Int, Date?).self) {
            pending.append(Pending(id: id, provider: provider, orderNo: order, tradeNo: trade, kind: kind, amountFen: amount, occurredAt: occurred))
        }
        return pending
    }

    func apply(_ notification: Pending, on connection: PostgresConnection) async throws {
        let outcome: String = switch notification.kind {
        case "paid": try await applyPayment(notification, on: connection)
        case "closed": try await applyClose(notification, on: connection)
        case "refunded":
            try await anomaly(notification, "refund_notice", "the provider reports a refund; check it against the refunds made", on: connection)
        default: "ignored"
        }
        try await connection.query(
            "UPDATE payment_notification SET applied_at = now(), outcome = \(outcome) WHERE id = \(notification.id)", logger: logger)
    }

    private func applyPayment(_ notification: Pending, on connection: PostgresConnection) async throws -> String {
        let recorded = try await connection.query(
            """
            INSERT INTO payment_transaction (provider, trade_no, order_no, amount_fen, paid_at, disposition)
            VALUES (\(notification.provider), \(notification.tradeNo), \(notification.orderNo), \(notification.amountFen), \(notification.occurredAt), 'applied')
            ON CONFLICT (provider, trade_no) DO NOTHING RETURNING true
            """, logger: logger
        ).decode(Bool.self).first { _ in true }
        // The same transaction reported again (a repeat under a new key, or a query's answer).
        guard recorded == true else { return "duplicate" }

        let orderRows = try await connection.query(
            """
            SELECT o.candidate_id, o.year, o.amount_fen, o.status, c.status
            FROM payment_order o JOIN candidate_account c ON c.id = o.candidate_id
            WHERE o.order_no = \(notification.orderNo) AND o.provider = \(notification.provider)
            FOR UPDATE OF o, c
            """, logger: logger)
        var found: (Int64, Int, Int, String, String)?
        for try await row in orderRows.decode((Int64, Int, Int, String, String).self) { found = row }
        guard let (candidateID, year, amount, orderStatus, candidateStatus) = found else {
            return try await owed(notification, candidateID: nil, reason: "unknown_order", on: connection)
        }
        guard notification.amountFen == amount else {
            _ = try await anomaly(notification, "amount_mismatch", "paid \(notification.amountFen) fen, order of \(amount) fen", on: connection)
            return try await owed(notification, candidateID: candidateID, reason: "amount_mismatch", on: connection)
        }
        guard candidateStatus == "confirmed", orderStatus != "paid" else {
            return try await owed(notification, candidateID: candidateID, reason: candidateStatus == "paid" ? "second_payment" : "candidate_\(candidateStatus)", on: connection)
        }
        if orderStatus != "open" {
            _ = try await anomaly(notification, "paid_after_\(orderStatus)", "a payment for an order already \(orderStatus); applied", on: connection)
        }
        try await connection.query(
            """
            UPDATE payment_order SET status = 'paid', paid_at = coalesce(\(notification.occurredAt), now()), trade_no = \(notification.tradeNo)
            WHERE order_no = \(notification.orderNo)
            """, logger: logger)
        try await connection.query("UPDATE payment_transaction SET candidate_id = \(candidateID) WHERE provider = \(notification.provider) AND trade_no = \(notification.tradeNo)", logger: logger)
        try await connection.query("UPDATE candidate_account SET status = 'paid' WHERE id = \(candidateID)", logger: logger)
        try await connection.query(
            """
            INSERT INTO candidate_transition (candidate_id, from_status, to_status, actor_kind, actor_id, client_address)
            VALUES (\(candidateID), 'confirmed', 'paid', 'system', NULL, \("payment:" + notification.provider))
            """, logger: logger)
        let event = PaymentCompleted(
            candidateID: candidateID, year: year, orderNo: notification.orderNo, provider: notification.provider, amountFen: amount)
        try await Outbox.append(
            [try OutboxEvent(Envelope(event: event), aggregateID: "candidate-\(candidateID)", routingKey: PaymentCompleted.routingKey)],
            in: connection, logger: logger)
        return orderStatus == "open" ? "applied" : "applied_late"
    }

    /// Money that no order can take: recorded and queued for a refund, never lost.
    private func owed(_ notification: Pending, candidateID: Int64?, reason: String, on connection: PostgresConnection) async throws -> String {
        try await connection.query(
            """
            UPDATE payment_transaction SET disposition = 'refund_due', candidate_id = \(candidateID)
            WHERE provider = \(notification.provider) AND trade_no = \(notification.tradeNo)
            """, logger: logger)
        try await connection.query(
            """
            INSERT INTO payment_refund (provider, trade_no, order_no, candidate_id, amount_fen, reason)
            VALUES (\(notification.provider), \(notification.tradeNo), \(notification.orderNo), \(candidateID), \(notification.amountFen), \(reason))
            ON CONFLICT (provider, trade_no) DO NOTHING
            """, logger: logger)
        return "refund_due:\(reason)"
    }

    private func applyClose(_ notification: Pending, on connection: PostgresConnection) async throws -> String {
        let status = try await connection.query(
            "SELECT status FROM payment_order WHERE order_no = \(notification.orderNo) FOR UPDATE", logger: logger
        ).decode(String.self).first { _ in true }
        switch status {
        case "open":
            try await connection.query("UPDATE payment_order SET status = 'closed' WHERE order_no = \(notification.orderNo)", logger: logger)
            return "closed"
        case "paid":
            return try await anomaly(notification, "closed_after_payment", "the provider closed a trade of a paid order", on: connection)
        case nil:
            return try await anomaly(notification, "unknown_order", "a close notice for an order we do not have", on: connection)
        default:
            return "already_\(status!)"
        }
    }

    @discardableResult
    private func anomaly(_ notification: Pending, _ kind: String, _ detail: String, on connection: PostgresConnection) async throws -> String {
        try await connection.query(
            """
            INSERT INTO payment_anomaly (provider, order_no, trade_no, kind, detail)
            VALUES (\(notification.provider), \(notification.orderNo), \(notification.tradeNo), \(kind), \(detail))
            """, logger: logger)
        return "flagged:\(kind)"
    }
}
