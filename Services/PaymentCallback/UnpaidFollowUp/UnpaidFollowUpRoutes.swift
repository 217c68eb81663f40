import Access
import Foundation
import Hummingbird
import ServiceRuntime

/// Unpaid follow-up (seed 四.5, 19-20 Sep): a point checks every candidate it confirmed who has
/// not paid and records why; the county and the city see the summary of their points.
/// - `GET /staff/unpaid-candidates`: an operator gets its point's candidates (masked), anyone
///   above a point the counts per point of their subtree;
/// - `PUT /staff/unpaid-candidates/{id}/reason` `{"reason": "..."}`: the confirming point's operator.
struct UnpaidFollowUpRoutes: Sendable {
    let access: AccessControl
    let store: UnpaidFollowUpStore

    func add(to routes: ServiceRoutes) {
        routes.staff.get("staff/unpaid-candidates", use: list)
        routes.staff.put("staff/unpaid-candidates/{id}/reason", use: record)
    }

    struct Listing: Codable, Sendable {
        let candidates: [UnpaidFollowUpStore.UnpaidCandidate]?
        let points: [UnpaidFollowUpStore.PointSummary]
    }

    @Sendable func list(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<Listing> {
        let member = try context.staff
        let summaries = try await store.summaries(under: member.nodePath)
        guard member.nodeKind == .confirmationPoint else { return JSONOutput(Listing(candidates: nil, points: summaries)) }
        let candidates = try await store.candidates(confirmedAt: member.nodeID)
        try await access.audit.record(.staff(member), action: "unpaid.list", target: .init(kind: "confirmation_point", id: member.nodeID), request: request)
        return JSONOutput(Listing(candidates: candidates, points: summaries))
    }

    struct Reason: Decodable {
        let reason: String
    }

    struct Recorded: Codable, Sendable {
        let candidateID: Int64
        let reason: String
    }

    @Sendable func record(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<Recorded> {
        let member = try context.staff
        let candidateID = try context.positiveID()
        let confirmation = try await store.confirmation(of: candidateID)
        guard member.roles.contains(.confirmationPointOperator), let confirmation, confirmation.pointID == member.nodeID else {
            try await access.audit.record(.staff(member), action: "unpaid.reason", target: .candidate(candidateID), outcome: .denied, request: request)
            throw APIError.forbidden
        }
        guard confirmation.status == "confirmed" else { throw Refusal.conflict("unpaid.not_unpaid", "该考生不是已确认未缴费状态") }
        let input = try await JSONInput.decode(Reason.self, from: request)
        var validation = Validation()
        let reason = validation.text(input.reason, field: "reason", length: 2...200)
        try validation.check()
        guard let reason else { throw APIError.invalid(validation.errors) }
        try await store.record(reason, for: candidateID, by: member, clientAddress: request.clientAddress)
        return JSONOutput(Recorded(candidateID: candidateID, reason: reason))
    }
}
