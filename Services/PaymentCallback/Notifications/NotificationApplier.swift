import Contracts
import Foundation
import Logging
import Messaging
import PostgresNIO
import ServiceLifecycle

/// Applies stored notifications (the inbox) in arrival order, a batch per transaction, taking
/// them off the queue (`payment_notification_pending`) with `SKIP LOCKED` so that any number of
/// worker processes share the work. A payment is applied once per provider transaction
/// (`payment_transaction`'s key) under the orders' and the candidates' row locks; the
/// notifications are marked applied in the same transaction, so a crash anywhere leaves them to
/// be applied again, never twice. A batch is written with set-based statements (a dozen per
/// batch, not per notification).
final class NotificationApplier: Service, Sendable {
    let postgres: PostgresClient
    let logger: Logger
    let batchSize: Int
    let pollInterval: Duration

    init(postgres: PostgresClient, logger: Logger, batchSize: Int = 500, pollInterval: Duration = .milliseconds(50)) {
        self.postgres = postgres
        self.logger = logger
        self.batchSize = batchSize
        self.pollInterval = pollInterval
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                var applied = 0
                do {
                    applied = try await self.applyNext()
                } catch {
                    if Task.isCancelled { return }
                    self.logger.error("applying payment notifications failed", metadata: ["error": "\(String(reflecting: type(of: error)))"])
                }
                // Straight on only while a backlog fills whole batches. Otherwise notifications
                // gather for a moment: a batch costs a transaction and a dozen statements
                // whatever its size, and larger batches cost PostgreSQL and this process about a
                // fifth less per notification (a notification waits at most `pollInterval` longer).
                if applied < self.batchSize { try? await Task.sleep(for: self.pollInterval) }
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
            return try await applyBatch(limit: batchSize)
        } catch {
            // Something in the batch cannot be applied: one at a time, so that the rest go through.
            var applied = 0
            for _ in 0..<batchSize {
                let one = try await applyBatch(limit: 1)
                if one == 0 { break }
                applied += one
            }
            return applied
        }
    }

    private func applyBatch(limit: Int) async throws -> Int {
        try await postgres.withTransaction(logger: logger) { connection in
            let pending = try await self.take(limit, on: connection)
            guard !pending.isEmpty else { return 0 }
            var batch = Batch()
            try await self.applyPayments(pending.filter { $0.kind == "paid" }, into: &batch, on: connection)
            for notification in pending where notification.kind != "paid" {
                batch.outcomes[notification.id] = try await self.applyNotice(notification, into: &batch, on: connection)
            }
            try await self.write(batch, on: connection)
            return pending.count
        }
    }

    private func take(_ limit: Int, on connection: PostgresConnection) async throws -> [Pending] {
        var pending: [Pending] = []
        for try await (id, provider, order, trade, kind, amount, occurred) in try await connection.execute(ApplierStatements.Take(limit: limit), logger: logger) {
            pending.append(Pending(id: id, provider: provider, orderNo: order, tradeNo: trade, kind: kind, amountFen: amount, occurredAt: occurred))
        }
        return pending
    }

    /// What a batch changes, written at the end with one statement per kind of change.
    struct Batch {
        var outcomes: [Int64: String] = [:]
        var paidOrders: [(orderNo: String, tradeNo: String, paidAt: Date?)] = []
        var paidCandidates: [(candidateID: Int64, provider: String)] = []
        var events: [OutboxEvent] = []
        /// The provider transactions first seen in this batch, each with what became of its money.
        var transactions: [(payment: Pending, candidateID: Int64?, disposition: String)] = []
        var refunds: [(notification: Pending, candidateID: Int64?, reason: String)] = []
        var anomalies: [(notification: Pending, kind: String, detail: String)] = []

        /// Money no order can take: recorded and queued for a refund, never lost.
        mutating func refund(_ payment: Pending, candidateID: Int64?, reason: String) {
            refunds.append((payment, candidateID, reason))
            transactions.append((payment, candidateID, "refund_due"))
            outcomes[payment.id] = "refund_due:\(reason)"
        }
    }

    private func applyPayments(_ payments: [Pending], into batch: inout Batch, on connection: PostgresConnection) async throws {
        guard !payments.isEmpty else { return }
        // The orders and their candidates are locked first (in candidate order, as every worker
        // does): a repeat of a trade under another key, or a query's answer for it, then waits
        // here and finds the trade already recorded below.
        struct Order {
            let candidateID: Int64
            let year: Int
            let amountFen: Int
            var status: String
        }
        var orders: [String: Order] = [:]
        var candidates: [Int64: String] = [:]
        for try await (orderNo, provider, candidateID, year, amount, status, candidateStatus) in try await connection.execute(
            ApplierStatements.LockOrders(orderNos: payments.map(\.orderNo)), logger: logger
        ) {
            orders[provider + "\u{0}" + orderNo] = Order(candidateID: candidateID, year: year, amountFen: amount, status: status)
            candidates[candidateID] = candidateStatus
        }
        // One row per provider transaction: a trade already recorded is a repeat.
        var recorded = Set<String>()
        for try await (provider, trade) in try await connection.execute(
            ApplierStatements.RecordedTrades(providers: payments.map(\.provider), tradeNos: payments.map(\.tradeNo)), logger: logger
        ) {
            recorded.insert(provider + "\u{0}" + trade)
        }

        for payment in payments {
            guard recorded.insert(payment.provider + "\u{0}" + payment.tradeNo).inserted else {
                batch.outcomes[payment.id] = "duplicate"
                continue
            }
            let key = payment.provider + "\u{0}" + payment.orderNo
            guard let order = orders[key] else {
                batch.refund(payment, candidateID: nil, reason: "unknown_order")
                continue
            }
            let candidateStatus = candidates[order.candidateID] ?? ""
            guard payment.amountFen == order.amountFen else {
                batch.anomalies.append((payment, "amount_mismatch", "paid \(payment.amountFen) fen, order of \(order.amountFen) fen"))
                batch.refund(payment, candidateID: order.candidateID, reason: "amount_mismatch")
                continue
            }
            guard candidateStatus == "confirmed", order.status != "paid" else {
                batch.refund(payment, candidateID: order.candidateID, reason: candidateStatus == "paid" ? "second_payment" : "candidate_\(candidateStatus)")
                continue
            }
            if order.status != "open" {
                batch.anomalies.append((payment, "paid_after_\(order.status)", "a payment for an order already \(order.status); applied"))
            }
            batch.outcomes[payment.id] = order.status == "open" ? "applied" : "applied_late"
            // Later payments in this batch see the candidate paid and the order taken.
            candidates[order.candidateID] = "paid"
            orders[key]?.status = "paid"
            batch.paidOrders.append((payment.orderNo, payment.tradeNo, payment.occurredAt))
            batch.paidCandidates.append((order.candidateID, payment.provider))
            batch.transactions.append((payment, order.candidateID, "applied"))
            let event = PaymentCompleted(
                candidateID: order.candidateID, year: order.year, orderNo: payment.orderNo, provider: payment.provider, amountFen: order.amountFen)
            batch.events.append(try OutboxEvent(Envelope(event: event), aggregateID: "candidate-\(order.candidateID)", routingKey: PaymentCompleted.routingKey))
        }
    }

    /// Close and refund notices: rare, one at a time.
    private func applyNotice(_ notification: Pending, into batch: inout Batch, on connection: PostgresConnection) async throws -> String {
        switch notification.kind {
        case "closed":
            let status = try await connection.query(
                "SELECT status FROM payment_order WHERE order_no = \(notification.orderNo) FOR UPDATE", logger: logger
            ).decode(String.self).first { _ in true }
            switch status {
            case "open":
                try await connection.query("UPDATE payment_order SET status = 'closed' WHERE order_no = \(notification.orderNo)", logger: logger)
                return "closed"
            case "paid":
                batch.anomalies.append((notification, "closed_after_payment", "the provider closed a trade of a paid order"))
                return "flagged:closed_after_payment"
            case nil:
                batch.anomalies.append((notification, "unknown_order", "a close notice for an order we do not have"))
                return "flagged:unknown_order"
            default:
                return "already_\(status!)"
            }
        case "refunded":
            batch.anomalies.append((notification, "refund_notice", "the provider reports a refund; check it against the refunds made"))
            return "flagged:refund_notice"
        default:
            return "ignored"
        }
    }

    struct TradeRecordedConcurrently: Error {}

    private func write(_ batch: Batch, on connection: PostgresConnection) async throws {
        if !batch.paidOrders.isEmpty {
            _ = try await connection.execute(
                ApplierStatements.MarkOrdersPaid(
                    orderNos: batch.paidOrders.map(\.orderNo), tradeNos: batch.paidOrders.map(\.tradeNo),
                    paidAt: batch.paidOrders.map { $0.paidAt ?? Date() }), logger: logger)
            _ = try await connection.execute(
                ApplierStatements.MarkCandidatesPaid(
                    candidateIDs: batch.paidCandidates.map(\.candidateID), providers: batch.paidCandidates.map(\.provider)), logger: logger)
            try await Outbox.append(batch.events, in: connection, logger: logger)
        }
        if !batch.transactions.isEmpty {
            var statement = ApplierStatements.RecordTransactions()
            for (payment, candidateID, disposition) in batch.transactions {
                statement.providers.append(payment.provider)
                statement.tradeNos.append(payment.tradeNo)
                statement.orderNos.append(payment.orderNo)
                statement.amounts.append(payment.amountFen)
                statement.paidAt.append(payment.occurredAt ?? Date())
                statement.candidateIDs.append(candidateID ?? 0)
                statement.dispositions.append(disposition)
            }
            var inserted = 0
            for try await _ in try await connection.execute(statement, logger: logger) { inserted += 1 }
            // Another worker recorded one of these trades after we looked (an order we do not
            // have, so no lock to wait on): this batch is undone and applied again.
            guard inserted == batch.transactions.count else { throw TradeRecordedConcurrently() }
        }
        if !batch.refunds.isEmpty {
            try await connection.query(
                """
                INSERT INTO payment_refund (provider, trade_no, order_no, candidate_id, amount_fen, reason)
                SELECT t.provider, t.trade_no, t.order_no, nullif(t.candidate_id, 0), t.amount, t.reason
                FROM unnest(\(batch.refunds.map(\.notification.provider))::text[], \(batch.refunds.map(\.notification.tradeNo))::text[],
                            \(batch.refunds.map(\.notification.orderNo))::text[], \(batch.refunds.map { $0.candidateID ?? 0 })::bigint[],
                            \(batch.refunds.map(\.notification.amountFen))::int[], \(batch.refunds.map(\.reason))::text[])
                    AS t(provider, trade_no, order_no, candidate_id, amount, reason)
                ON CONFLICT (provider, trade_no) DO NOTHING
                """, logger: logger)
        }
        if !batch.anomalies.isEmpty {
            try await connection.query(
                """
                INSERT INTO payment_anomaly (provider, order_no, trade_no, kind, detail)
                SELECT * FROM unnest(\(batch.anomalies.map(\.notification.provider))::text[], \(batch.anomalies.map(\.notification.orderNo))::text[],
                                     \(batch.anomalies.map(\.notification.tradeNo))::text[], \(batch.anomalies.map(\.kind))::text[], \(batch.anomalies.map(\.detail))::text[])
                """, logger: logger)
        }
        let outcomes = batch.outcomes.sorted { $0.key < $1.key }
        _ = try await connection.execute(ApplierStatements.MarkApplied(ids: outcomes.map(\.key), outcomes: outcomes.map(\.value)), logger: logger)
    }
}
