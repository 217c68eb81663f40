import Access
import CandidateLifecycle
import Foundation
import Hummingbird
import ServiceRuntime
import Storage

/// The staff's side of exemption from the exam (免试入学), after the payment deadline:
/// - `GET /staff/exemptions?status=&after=`: the applications of candidates in the member's
///   subtree (audited), 500 at a time;
/// - `POST /staff/exemptions/{id}/city-review` `{"decision": "pass"|"refuse", "reason"}`: the
///   city's first review, changeable until the city submits its list;
/// - `POST /staff/exemption-lists`: the city submits its list to the province (成招处);
/// - `POST /staff/exemptions/{id}/decision` `{"decision": "approve"|"refuse", "reason"}`: the
///   province decides what the city passed.
struct ExemptionReviewRoutes: Sendable {
    let access: AccessControl
    let store: ExemptionReviewStore
    let applications: ExemptionStore

    func add(to routes: ServiceRoutes) {
        routes.staff.get("staff/exemptions", use: list)
        routes.staff.post("staff/exemptions/{id}/city-review", use: cityReview)
        routes.staff.post("staff/exemption-lists", use: submitList)
        routes.staff.post("staff/exemptions/{id}/decision", use: decide)
    }

    static let pageSize = 500

    struct Cases: Codable, Sendable {
        let cases: [ExemptionCase]
        /// The `after` of the next page; nil on the last.
        let next: Int64?
    }

    @Sendable func list(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<Cases> {
        let member = try context.staff
        let query = request.uri.queryParameters
        var validation = Validation()
        let status = query.get("status")
        if let status, ExemptionStage(rawValue: status) == nil {
            validation.add("status", "exemption.status_unknown", "状态无效")
        }
        let after = query.get("after").map { Int64($0) ?? -1 } ?? 0
        if after < 0 { validation.add("after", "after.invalid", "应为考生编号") }
        try validation.check()
        try await access.audit.record(.staff(member), action: "exemption.list", target: .init(kind: "organisation_node", id: member.nodeID), request: request)
        let categories = try await applications.categories()?.byCode ?? [:]
        let cases = try await store.cases(under: member.nodePath, status: status, after: after, limit: Self.pageSize, categories: categories)
        return JSONOutput(Cases(cases: cases, next: cases.count == Self.pageSize ? cases.last?.candidateID : nil))
    }

    struct Decision: Decodable {
        let decision: String
        let reason: String?
    }

    /// The decision and, for a refusal, its reason (2-300 characters), or the field errors.
    private func decision(_ request: Request, yes: String, no: String) async throws -> (yes: Bool, reason: String?) {
        let input = try await JSONInput.decode(Decision.self, from: request)
        var validation = Validation()
        if input.decision != yes && input.decision != no { validation.add("decision", "decision.unknown", "应为 \(yes) 或 \(no)") }
        let reason = input.decision == no ? validation.text(input.reason ?? "", field: "reason", length: 2...300) : nil
        try validation.check()
        return (input.decision == yes, reason)
    }

    /// The candidate if the member is a reviewer of `kind` whose subtree holds them; else 403, audited.
    private func reviewable(_ id: Int64, _ member: StaffMember, city: Bool, action: String, request: Request) async throws {
        let candidate = try await ReviewedCandidate.find(id, postgres: store.postgres, logger: store.logger)
        let allowed = city ? Reviewers.isCity(member) : Reviewers.isProvince(member)
        try await access.staff.requireScope(member, covers: allowed ? candidate?.countyPath : nil, action: action, target: .candidate(id), request: request)
    }

    /// The year's payment window, once it has closed: the reviews follow payment.
    private func closedPaymentWindow() async throws -> PaymentWindow {
        guard let window = try await PaymentWindow.current(postgres: store.postgres, logger: store.logger) else { throw ExemptionRules.noYear }
        if window.isOpen(at: Date()) { throw ExemptionRules.tooEarly }
        return window
    }

    @Sendable func cityReview(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<ExemptionApplication> {
        let member = try context.staff
        let id = try context.positiveID()
        try await reviewable(id, member, city: true, action: "exemption.city_review", request: request)
        let (pass, reason) = try await decision(request, yes: "pass", no: "refuse")
        _ = try await closedPaymentWindow()
        try await store.cityReview(id, pass: pass, reason: reason, by: member, clientAddress: request.clientAddress)
        return try await shown(id)
    }

    struct ListSubmitted: Codable, Sendable {
        let cityID: String
        let year: Int
        let submittedAt: Date
    }

    @Sendable func submitList(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<ListSubmitted> {
        let member = try context.staff
        guard Reviewers.isCity(member) else {
            try await access.audit.record(.staff(member), action: "exemption.list_submit", target: .init(kind: "organisation_node", id: member.nodeID), outcome: .denied, request: request)
            throw APIError.forbidden
        }
        let window = try await closedPaymentWindow()
        try await store.submitList(city: member.nodeID, year: window.year, by: member, clientAddress: request.clientAddress)
        let at = try await store.listSubmitted(city: member.nodeID, year: window.year) ?? Date()
        return JSONOutput(ListSubmitted(cityID: member.nodeID, year: window.year, submittedAt: at))
    }

    @Sendable func decide(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<ExemptionApplication> {
        let member = try context.staff
        let id = try context.positiveID()
        try await reviewable(id, member, city: false, action: "exemption.decide", request: request)
        let (approve, reason) = try await decision(request, yes: "approve", no: "refuse")
        try await store.provinceDecision(id, approve: approve, reason: reason, by: member, clientAddress: request.clientAddress)
        return try await shown(id)
    }

    private func shown(_ id: Int64) async throws -> JSONOutput<ExemptionApplication> {
        guard let application = try await applications.application(of: id, categories: try await applications.categories()?.byCode ?? [:]) else {
            throw ExemptionRules.none
        }
        return JSONOutput(application)
    }
}
