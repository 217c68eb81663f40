import Access
import Foundation
import Hummingbird
import Payments
import ServiceRuntime

/// Reconciliation (对账), for the province: `POST /staff/payments/reconciliations?provider=&day=`
/// with the provider's statement of the day (CSV: `trade_no,out_trade_no,amount,paid_at`) lists
/// every mismatch: paid there but not here, paid here but not there, amounts that differ.
/// Nothing is corrected automatically. `GET /staff/payments/reconciliations/{id}` shows one again.
struct ReconciliationRoutes: Sendable {
    let access: AccessControl
    let store: ReconciliationStore

    func add(to routes: ServiceRoutes) {
        routes.staff.post("staff/payments/reconciliations", use: reconcile)
        routes.staff.get("staff/payments/reconciliations/{id}", use: show)
    }

    @Sendable func reconcile(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<Reconciliation> {
        let member = try context.staff
        try await access.staff.requireProvince(member, action: "payment.reconcile", target: .init(kind: "reconciliation", id: "-"), request: request)
        var validation = Validation()
        let provider = request.uri.queryParameters.get("provider").flatMap(PaymentProvider.init(rawValue:))
        if provider == nil { validation.add("provider", "provider.unknown", "支付渠道应为 alipay 或 wechat") }
        let day = request.uri.queryParameters.get("day") ?? ""
        if !CalendarDate.isValid(day) { validation.add("day", "day.format", "日期格式应为 YYYY-MM-DD") }
        try validation.check()
        let body = try await request.body(upTo: 20 << 20, orElse: APIError(.contentTooLarge, code: "body_too_large", message: "对账单过大（最大 20 MB）"))
        let statement = try Reconciliation.statement(Array(buffer: body))
        guard let provider else { throw APIError.invalid(validation.errors) }
        let id = try await store.reconcile(statement, provider: provider, day: day, by: member, clientAddress: request.clientAddress)
        return JSONOutput(try await store.reconciliation(id)!, status: .created)
    }

    @Sendable func show(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<Reconciliation> {
        let member = try context.staff
        let id = try context.positiveID()
        try await access.staff.requireProvince(member, action: "payment.reconciliation.read", target: .init(kind: "reconciliation", id: String(id)), request: request)
        guard let found = try await store.reconciliation(id) else { throw APIError.notFound }
        return JSONOutput(found)
    }
}
