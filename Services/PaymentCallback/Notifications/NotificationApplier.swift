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
        await runUntilGracefulShutdown("payment notification applier", logger: logger) {
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
            guard let last = pending.last?.id else { return 0 }
            for try await _ in try await connection.execute(
                ApplierStatements.WaitForEarlier(last: last, providers: pending.map(\.provider), orderNos: pending.map(\.orderNo)), logger: logger)
            {}
            var ledger = try await self.ledger(for: pending, on: connection)
            var batch = Batch()
            // In arrival order, each against the orders as the notifications before it left them:
            // the outcome is the same however the notifications fall into batches.
            for notification in pending {
                switch notification.kind {
                case "paid": try self.applyPayment(notification, &ledger, into: &batch)
                case "closed": batch.outcomes[notification.id] = Self.applyClose(notification, &ledger, into: &batch)
                case "refunded":
                    batch.anomalies.append((notification, "refund_notice", "the provider reports a refund; check it against the refunds made"))
                    batch.outcomes[notification.id] = "flagged:refund_notice"
                default: batch.outcomes[notification.id] = "ignored"
                }
            }
            try await self.write(batch, ledger, on: connection)
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

    /// The batch's orders and their candidates as the batch goes along, and the provider
    /// transactions already recorded.
    struct Ledger {
        struct Order {
            let orderNo: String
            let candidateID: Int64
            let year: Int
            let amountFen: Int
            var status: String
        }
        /// By provider and order number.
        var orders: [String: Order] = [:]
        var candidates: [Int64: String] = [:]
        /// Provider and trade number of every transaction recorded, before or in this batch.
        var trades = Set<String>()

        static func key(_ provider: String, _ number: String) -> String { provider + "\u{0}" + number }
    }

    /// Locks the orders and their candidates first (in candidate order, as every worker does): a
    /// repeat of a trade under another key, or a query's answer for it, then waits here and finds
    /// the trade already recorded.
    private func ledger(for pending: [Pending], on connection: PostgresConnection) async throws -> Ledger {
        var ledger = Ledger()
        for try await (orderNo, provider, candidateID, year, amount, status, candidateStatus) in try await connection.execute(
            ApplierStatements.LockOrders(orderNos: Array(Set(pending.map(\.orderNo)))), logger: logger
        ) {
            ledger.orders[Ledger.key(provider, orderNo)] = .init(orderNo: orderNo, candidateID: candidateID, year: year, amountFen: amount, status: status)
            ledger.candidates[candidateID] = candidateStatus
        }
        let payments = pending.filter { $0.kind == "paid" }
        if !payments.isEmpty {
            for try await (provider, trade) in try await connection.execute(
                ApplierStatements.RecordedTrades(providers: payments.map(\.provider), tradeNos: payments.map(\.tradeNo)), logger: logger
            ) {
                ledger.trades.insert(Ledger.key(provider, trade))
            }
        }
        return ledger
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
        /// Orders whose status the batch ended as something other than paid (closed, refund_due).
        var endedOrders = Set<String>()
    }

    /// One payment: applied once per provider transaction; money no order can take is recorded
    /// and queued for a refund (never lost), and its order ends as `refund_due`.
    private func applyPayment(_ payment: Pending, _ ledger: inout Ledger, into batch: inout Batch) throws {
        guard ledger.trades.insert(Ledger.key(payment.provider, payment.tradeNo)).inserted else {
            batch.outcomes[payment.id] = "duplicate"
            return
        }
        let key = Ledger.key(payment.provider, payment.orderNo)
        func refund(_ reason: String, candidateID: Int64?) {
            batch.refunds.append((payment, candidateID, reason))
            batch.transactions.append((payment, candidateID, "refund_due"))
            batch.outcomes[payment.id] = "refund_due:\(reason)"
            if let order = ledger.orders[key], order.status != "paid" {
                ledger.orders[key]?.status = "refund_due"
                batch.endedOrders.insert(key)
            }
        }
        guard let order = ledger.orders[key] else { return refund("unknown_order", candidateID: nil) }
        let candidateStatus = ledger.candidates[order.candidateID] ?? ""
        guard payment.amountFen == order.amountFen else {
            batch.anomalies.append((payment, "amount_mismatch", "paid \(payment.amountFen) fen, order of \(order.amountFen) fen"))
            return refund("amount_mismatch", candidateID: order.candidateID)
        }
        guard candidateStatus == "confirmed", order.status != "paid" else {
            return refund(candidateStatus == "paid" ? "second_payment" : "candidate_\(candidateStatus)", candidateID: order.candidateID)
        }
        if order.status != "open" {
            batch.anomalies.append((payment, "paid_after_\(order.status)", "a payment for an order already \(order.status); applied"))
        }
        batch.outcomes[payment.id] = order.status == "open" ? "applied" : "applied_late"
        // Later notifications in this batch see the candidate paid and the order taken.
        ledger.candidates[order.candidateID] = "paid"
        ledger.orders[key]?.status = "paid"
        batch.endedOrders.remove(key)
        batch.paidOrders.append((payment.orderNo, payment.tradeNo, payment.occurredAt))
        batch.paidCandidates.append((order.candidateID, payment.provider))
        batch.transactions.append((payment, order.candidateID, "applied"))
        let event = PaymentCompleted(
            candidateID: order.candidateID, year: order.year, orderNo: payment.orderNo, provider: payment.provider, amountFen: order.amountFen)
        batch.events.append(try OutboxEvent(Envelope(event: event), aggregateID: "candidate-\(order.candidateID)", routingKey: PaymentCompleted.routingKey))
    }

    /// A close notice: an open order closes; a paid one is flagged for staff.
    private static func applyClose(_ notice: Pending, _ ledger: inout Ledger, into batch: inout Batch) -> String {
        let key = Ledger.key(notice.provider, notice.orderNo)
        switch ledger.orders[key]?.status {
        case "open":
            ledger.orders[key]?.status = "closed"
            batch.endedOrders.insert(key)
            return "closed"
        case "paid":
            batch.anomalies.append((notice, "closed_after_payment", "the provider closed a trade of a paid order"))
            return "flagged:closed_after_payment"
        case nil:
            batch.anomalies.append((notice, "unknown_order", "a close notice for an order we do not have"))
            return "flagged:unknown_order"
        case let status?:
            return "already_\(status)"
        }
    }

    struct TradeRecordedConcurrently: Error {}

    private func write(_ batch: Batch, _ ledger: Ledger, on connection: PostgresConnection) async throws {
        // Orders the batch ended otherwise than paid, each in the status it ended in.
        let ended = batch.endedOrders.compactMap { ledger.orders[$0] }
        if !ended.isEmpty {
            try await connection.query(
                """
                UPDATE payment_order o SET status = t.status
                FROM unnest(\(ended.map(\.orderNo))::text[], \(ended.map(\.status))::text[]) AS t(order_no, status)
                WHERE o.order_no = t.order_no
                """, logger: logger)
        }
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
