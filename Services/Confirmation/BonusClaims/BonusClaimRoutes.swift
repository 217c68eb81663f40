import Access
import Foundation
import Hummingbird
import ServiceRuntime

/// Bonus-point claims (照顾加分) entered at the point with their evidence, under the policies
/// of the year's data; the city reviews them later. Where a candidate meets several policies only
/// the highest counts (SPEC §2), so the listing says which one that is.
/// - `POST /staff/candidates/{id}/bonus-claims` (the candidate's point operator, on duty)
/// - `GET /staff/candidates/{id}/bonus-claims` (staff covering the candidate)
struct BonusClaimRoutes: Sendable {
    let access: AccessControl
    let desk: OperatorDesk
    let store: BonusClaimStore

    func add(to routes: ServiceRoutes) {
        routes.staff.post("staff/candidates/{id}/bonus-claims", use: claim)
        routes.staff.get("staff/candidates/{id}/bonus-claims", use: list)
    }

    struct Claim: Decodable {
        let policyCode: String
        let evidence: String
    }

    @Sendable func claim(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<BonusClaims> {
        let candidateID = try context.positiveID()
        let (member, candidate) = try await desk.candidate(request, context, candidateID, action: "bonus_claim.add")
        guard candidate.status != "registered" else { throw CandidatePhotos.locked(candidate.status) }
        let input = try await JSONInput.decode(Claim.self, from: request)
        var validation = Validation()
        let evidence = validation.text(input.evidence, field: "evidence", length: 2...300)
        let policies = try await store.policies()
        if policies[input.policyCode] == nil { validation.add("policyCode", "policy_code.unknown", "没有这项照顾加分政策") }
        try validation.check()
        guard let evidence, let year = policies.year else { throw APIError.invalid(validation.errors) }
        try await store.add(policyCode: input.policyCode, evidence: evidence, for: candidateID, year: year, by: member, clientAddress: request.clientAddress)
        return JSONOutput(try await store.claims(of: candidateID, policies: policies), status: .created)
    }

    @Sendable func list(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<BonusClaims> {
        let member = try context.staff
        let candidateID = try context.positiveID()
        let path = try await access.staff.directory.scopePath(ofCandidate: candidateID)
        try await access.staff.requireScope(member, covers: path, action: "bonus_claim.read", target: .candidate(candidateID), request: request)
        return JSONOutput(try await store.claims(of: candidateID, policies: try await store.policies()))
    }
}
