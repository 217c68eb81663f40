import Foundation
import Logging
import Payments
import PostgresNIO
import ServiceRuntime
import Storage

/// The `payment_order` table, as candidates make orders; and the current year's payment window.
struct PaymentOrderStore: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    func currentWindow() async throws -> PaymentWindow? {
        try await PaymentWindow.current(postgres: postgres, logger: logger)
    }

    /// The candidate's open order at `provider` if it has time left, else a new one (any other
    /// open order ends here: one open order per candidate). Only a `confirmed` candidate pays;
    /// their row is locked meanwhile, so a payment being applied waits for this to finish.
    func openOrder(for candidateID: Int64, at provider: PaymentProvider, in window: PaymentWindow, lifetime: Duration) async throws -> PaymentOrder {
        try await postgres.withTransaction(logger: logger) { connection in
            let status = try await connection.query("SELECT status FROM candidate_account WHERE id = \(candidateID) FOR UPDATE", logger: logger)
                .decode(String.self).first { _ in true }
            switch status {
            case "confirmed": break
            case "paid", "exempt": throw PaymentOrderRefusal.alreadyPaid
            case "invalid": throw PaymentOrderRefusal.invalid
            default: throw PaymentOrderRefusal.notConfirmed
            }
            for try await (orderNo, amount, expires) in try await connection.query(
                """
                SELECT order_no, amount_fen, expires_at FROM payment_order
                WHERE candidate_id = \(candidateID) AND status = 'open' AND provider = \(provider.rawValue) AND expires_at > now() + interval '2 minutes'
                """, logger: logger
            ).decode((String, Int, Date).self) {
                return PaymentOrder(orderNo: orderNo, provider: provider, amountFen: amount, status: "open", expiresAt: expires)
            }
            try await connection.query(
                "UPDATE payment_order SET status = 'expired' WHERE candidate_id = \(candidateID) AND status = 'open'", logger: logger)
            let order = PaymentOrder(
                orderNo: PaymentOrder.newNumber(year: window.year), provider: provider, amountFen: window.feeFen, status: "open",
                expiresAt: Date() + TimeInterval(lifetime.components.seconds))
            try await connection.query(
                """
                INSERT INTO payment_order (order_no, candidate_id, year, provider, amount_fen, expires_at)
                VALUES (\(order.orderNo), \(candidateID), \(window.year), \(provider.rawValue), \(order.amountFen), \(order.expiresAt))
                """, logger: logger)
            return order
        }
    }

    /// The candidate's latest order, whatever became of it.
    func latestOrder(of candidateID: Int64) async throws -> PaymentOrder? {
        for try await (orderNo, provider, amount, status, expires) in try await postgres.query(
            """
            SELECT order_no, provider, amount_fen, status, expires_at FROM payment_order
            WHERE candidate_id = \(candidateID) ORDER BY created_at DESC LIMIT 1
            """, logger: logger
        ).decode((String, String, Int, String, Date).self) {
            guard let provider = PaymentProvider(rawValue: provider) else { continue }
            return PaymentOrder(orderNo: orderNo, provider: provider, amountFen: amount, status: status, expiresAt: expires)
        }
        return nil
    }
}
