import Access
import Foundation
import Hummingbird
import Payments
import ServiceRuntime
import Storage

/// The candidate's side of paying: only a `confirmed` candidate pays, before the deadline.
/// - `POST /orders` `{"provider":"alipay"|"wechat"}`: the open order (made if needed), 201;
/// - `GET /orders/current`: the latest order and where it stands.
struct PaymentOrderRoutes: Sendable {
    let access: AccessControl
    let store: PaymentOrderStore
    let settings: PaymentOrderSettings

    func add(to routes: ServiceRoutes) {
        routes.candidate.post("orders", use: order)
        routes.candidate.get("orders/current", use: current)
    }

    struct OrderRequest: Decodable {
        let provider: PaymentProvider
    }

    /// An order as the candidate sees it: where to pay included.
    struct OrderAnswer: Codable, Sendable {
        let orderNo: String
        let provider: String
        let amountFen: Int
        let status: String
        let expiresAt: Date
        let payURL: String
    }

    @Sendable func order(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<OrderAnswer> {
        let candidateID = try context.candidate.accountID
        try await access.throttle(AccessLimits.formsPerAccount, subject: "candidate:\(candidateID)")
        let input = try await JSONInput.decode(OrderRequest.self, from: request)
        guard let window = try await store.currentWindow() else { throw PaymentOrderRefusal.noYear }
        guard window.isOpen(at: Date()) else { throw PaymentOrderRefusal.closed }
        let order = try await store.openOrder(for: candidateID, at: input.provider, in: window, lifetime: settings.orderLifetime)
        return JSONOutput(answer(order), status: .created)
    }

    @Sendable func current(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<OrderAnswer> {
        guard let order = try await store.latestOrder(of: try context.candidate.accountID) else { throw PaymentOrderRefusal.noOrder }
        return JSONOutput(answer(order))
    }

    private func answer(_ order: PaymentOrder) -> OrderAnswer {
        OrderAnswer(
            orderNo: order.orderNo, provider: order.provider.rawValue, amountFen: order.amountFen, status: order.status,
            expiresAt: order.expiresAt,
            payURL: "\(settings.providerURL)/pay?provider=\(order.provider.rawValue)&order=\(order.orderNo)&amount=\(Yuan.text(order.amountFen))")
    }
}
