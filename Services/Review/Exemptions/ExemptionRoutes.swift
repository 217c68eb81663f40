import Access
import Hummingbird
import ServiceRuntime

/// The candidate's side of exemption from the exam (免试入学):
/// - `PUT /exemption` `{"categoryCode": "...", "reason": "..."}`: apply, or change the application
///   until the city has looked at it (after submitting; exemption applicants still confirm and pay);
/// - `GET /exemption`: the application and where it stands.
struct ExemptionRoutes: Sendable {
    let access: AccessControl
    let store: ExemptionStore

    func add(to routes: ServiceRoutes) {
        routes.candidate.put("exemption", use: apply)
        routes.candidate.get("exemption", use: current)
    }

    struct Application: Decodable {
        let categoryCode: String
        let reason: String
    }

    @Sendable func apply(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<ExemptionApplication> {
        let candidateID = try context.candidate.accountID
        try await access.throttle(AccessLimits.formsPerAccount, subject: "candidate:\(candidateID)")
        let input = try await JSONInput.decode(Application.self, from: request)
        guard let (year, categories) = try await store.categories() else { throw ExemptionRules.noYear }
        var validation = Validation()
        if categories[input.categoryCode] == nil { validation.add("categoryCode", "exemption.category_unknown", "没有这个免试类别") }
        let reason = validation.text(input.reason, field: "reason", length: 2...300)
        try validation.check()
        guard let reason else { throw APIError.invalid(validation.errors) }
        try await store.apply(candidateID, year: year, category: input.categoryCode, reason: reason)
        guard let saved = try await store.application(of: candidateID, categories: categories) else { throw ExemptionRules.none }
        return JSONOutput(saved)
    }

    @Sendable func current(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<ExemptionApplication> {
        let candidateID = try context.candidate.accountID
        guard let application = try await store.application(of: candidateID, categories: try await store.categories()?.byCode ?? [:]) else {
            throw ExemptionRules.none
        }
        return JSONOutput(application)
    }
}
