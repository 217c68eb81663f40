import Access
import Foundation
import Hummingbird
import Logging
import Payments
import PostgresNIO
import ServiceRuntime

/// The candidate's side of paying (网上缴费): only a `confirmed` candidate pays. The order (the
/// year's fee, an expiry, one open order per candidate) is stored before the candidate is sent
/// to the provider, so that the provider's notification always finds it.
/// - `POST /payment/orders` `{"provider":"alipay"|"wechat"}`: the open order (made if needed);
/// - `GET /payment/orders/current`: the latest order and where it stands.
struct PaymentOrderRoutes: Sendable {
    let access: AccessControl
    let years: ExamYearStore
    let settings: PaymentOrderSettings
    let postgres: PostgresClient
    let logger: Logger

    func add(to router: Router<BasicRequestContext>) {
        router.post("payment/orders", use: order)
        router.get("payment/orders/current", use: current)
    }

    struct OrderRequest: Decodable {
        let provider: PaymentProvider
    }

    struct Order: Codable, Sendable {
        let orderNo: String
        let provider: String
        let amountFen: Int
        let status: String
        let expiresAt: Date
        /// Where the candidate pays.
        let payURL: String
    }

    @Sendable func order(_ request: Request, _ context: BasicRequestContext) async throws -> JSONOutput<Order> {
        let session = try await access.candidateSessions.require(request)
        try await access.throttle(AccessLimits.formsPerAccount, subject: "candidate:\(session.accountID)")
        let input = try await JSONInput.decode(OrderRequest.self, from: request)
        guard let year = try await years.current() else { throw APIError(.notFound, code: "exam_year.none", message: "本年度报名尚未开放") }
        guard Date() < year.calendar.paymentDeadline else {
            throw APIError(.conflict, code: "payment.closed", message: "缴费已截止")
        }
        let candidateID = session.accountID
        let lifetime = TimeInterval(settings.orderLifetime.components.seconds)
        let order = try await postgres.withTransaction(logger: logger) { connection -> Order in
            let status = try await connection.query("SELECT status FROM candidate_account WHERE id = \(candidateID) FOR UPDATE", logger: logger)
                .decode(String.self).first { _ in true }
            switch status {
            case "confirmed": break
            case "paid", "exempt": throw APIError(.conflict, code: "payment.already_paid", message: "已缴费，无需重复缴费")
            case "invalid": throw APIError(.conflict, code: "payment.invalid", message: "报名已无效，不能缴费")
            default: throw APIError(.conflict, code: "payment.not_confirmed", message: "现场确认后才能缴费")
            }
            // An open order of this provider that has time left is the one to pay; any other open one ends here.
            for try await (orderNo, provider, amount, expires) in try await connection.query(
                """
                SELECT order_no, provider, amount_fen, expires_at FROM payment_order
                WHERE candidate_id = \(candidateID) AND status = 'open' AND provider = \(input.provider.rawValue) AND expires_at > now() + interval '2 minutes'
                """, logger: logger
            ).decode((String, String, Int, Date).self) {
                return Order(orderNo: orderNo, provider: provider, amountFen: amount, status: "open", expiresAt: expires, payURL: payURL(orderNo, provider, amount))
            }
            try await connection.query(
                "UPDATE payment_order SET status = 'expired' WHERE candidate_id = \(candidateID) AND status = 'open'", logger: logger)
            let orderNo = Self.newOrderNumber(year: year.year)
            let expires = Date() + lifetime
            try await connection.query(
                """
                INSERT INTO payment_order (order_no, candidate_id, year, provider, amount_fen, expires_at)
                VALUES (\(orderNo), \(candidateID), \(year.year), \(input.provider.rawValue), \(year.feeFen), \(expires))
                """, logger: logger)
            return Order(
                orderNo: orderNo, provider: input.provider.rawValue, amountFen: year.feeFen, status: "open", expiresAt: expires,
                payURL: payURL(orderNo, input.provider.rawValue, year.feeFen))
        }
        return JSONOutput(order, status: .created)
    }

    @Sendable func current(_ request: Request, _ context: BasicRequestContext) async throws -> JSONOutput<Order> {
        let session = try await access.candidateSessions.require(request)
        for try await (orderNo, provider, amount, status, expires) in try await postgres.query(
            """
            SELECT order_no, provider, amount_fen, status, expires_at FROM payment_order
            WHERE candidate_id = \(session.accountID) ORDER BY created_at DESC LIMIT 1
            """, logger: logger
        ).decode((String, String, Int, String, Date).self) {
            return JSONOutput(Order(orderNo: orderNo, provider: provider, amountFen: amount, status: status, expiresAt: expires, payURL: payURL(orderNo, provider, amount)))
        }
        throw APIError(.notFound, code: "payment.no_order", message: "尚未发起缴费")
    }

    private func payURL(_ orderNo: String, _ provider: String, _ amount: Int) -> String {
        "\(settings.providerURL)/pay?provider=\(provider)&order=\(orderNo)&amount=\(Yuan.text(amount))"
    }

    /// `E` + year + 16 random characters: unguessable, and never the same twice in practice
    /// (the primary key refuses a repeat).
    static func newOrderNumber(year: Int) -> String {
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return "E\(year)" + String((0..<16).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
    }
}
