import Access
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import ServiceRuntime

/// Bonus-point claims (照顾加分) entered at the point with their evidence, under the policies
/// of the year's data; the city reviews them later. Where a candidate meets several policies only
/// the highest counts (SPEC §2), so the listing says which one that is.
/// - `POST /staff/candidates/{id}/bonus-claims` (the candidate's point operator, on duty)
/// - `GET /staff/candidates/{id}/bonus-claims` (staff covering the candidate)
struct BonusClaimRoutes: Sendable {
    let access: AccessControl
    let desk: OperatorDesk
    let postgres: PostgresClient
    let logger: Logger

    func add(to routes: ServiceRoutes) {
        routes.staff.post("staff/candidates/{id}/bonus-claims", use: claim)
        routes.staff.get("staff/candidates/{id}/bonus-claims", use: list)
    }

    struct Claim: Decodable {
        let policyCode: String
        let evidence: String
    }

    struct ClaimRecord: Codable, Sendable {
        let policyCode: String
        let policyName: String
        let points: Int
        let evidence: String
        let status: String
    }

    struct Claims: Codable, Sendable {
        let candidateID: Int64
        let claims: [ClaimRecord]
        /// The policy whose points count: the highest.
        let countedPolicyCode: String?
        let countedPoints: Int
    }

    @Sendable func claim(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<Claims> {
        let candidateID = try context.positiveID()
        let (member, candidate) = try await desk.candidate(request, context, candidateID, action: "bonus_claim.add")
        guard candidate.status != "registered" else { throw CandidatePhotoRoutes.locked(candidate.status) }
        let input = try await JSONInput.decode(Claim.self, from: request)
        var validation = Validation()
        let evidence = validation.text(input.evidence, field: "evidence", length: 2...300)
        let policies = try await yearPolicies()
        if policies[input.policyCode] == nil { validation.add("policyCode", "policy_code.unknown", "没有这项照顾加分政策") }
        try validation.check()
        guard let evidence, let year = policies.year else { throw APIError.invalid(validation.errors) }
        try await postgres.withTransaction(logger: logger) { connection in
            let inserted = try await connection.query(
                """
                INSERT INTO bonus_claim (candidate_id, year, policy_code, evidence, entered_by)
                VALUES (\(candidateID), \(year), \(input.policyCode), \(evidence), \(member.id))
                ON CONFLICT (candidate_id, year, policy_code) DO NOTHING RETURNING true
                """, logger: logger
            ).decode(Bool.self).first { _ in true }
            guard inserted == true else {
                throw APIError(.conflict, code: "bonus_claim.duplicate", message: "该考生已登记这项照顾加分")
            }
            try await AuditLog.record(.staff(member), action: "bonus_claim.add", target: .candidate(candidateID), clientAddress: request.clientAddress, on: connection, logger: logger)
        }
        return JSONOutput(try await claims(of: candidateID, policies: policies), status: .created)
    }

    @Sendable func list(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<Claims> {
        let member = try context.staff
        let candidateID = try context.positiveID()
        let path = try await postgres.query(
            """
            SELECT path::text FROM candidate_scope WHERE candidate_id = \(candidateID)
            """, logger: logger
        ).decode(String.self).first { _ in true }
        try await access.staff.requireScope(member, covers: path, action: "bonus_claim.read", target: .candidate(candidateID), request: request)
        return JSONOutput(try await claims(of: candidateID, policies: try await yearPolicies()))
    }

    /// The current year's policies by code, with their names and points.
    struct Policies {
        let year: Int?
        let byCode: [String: (name: String, points: Int)]
        subscript(code: String) -> (name: String, points: Int)? { byCode[code] }
    }

    private func yearPolicies() async throws -> Policies {
        let rows = try await postgres.query(
            """
            SELECT y.year, p->>'code', p->>'name', (p->>'points')::int
            FROM exam_year y LEFT JOIN LATERAL jsonb_array_elements(coalesce(y.document->'codeLists'->'bonusPolicies', '[]')) p ON true
            WHERE y.current
            """, logger: logger)
        var year: Int?
        var byCode: [String: (String, Int)] = [:]
        for try await (rowYear, code, name, points) in rows.decode((Int, String?, String?, Int?).self) {
            year = rowYear
            if let code, let name { byCode[code] = (name, points ?? 0) }
        }
        return Policies(year: year, byCode: byCode)
    }

    private func claims(of candidateID: Int64, policies: Policies) async throws -> Claims {
        let rows = try await postgres.query(
            "SELECT policy_code, evidence, status FROM bonus_claim WHERE candidate_id = \(candidateID) AND year = \(policies.year ?? 0) ORDER BY id",
            logger: logger)
        var claims: [ClaimRecord] = []
        for try await (code, evidence, status) in rows.decode((String, String, String).self) {
            let policy = policies[code]
            claims.append(ClaimRecord(policyCode: code, policyName: policy?.name ?? code, points: policy?.points ?? 0, evidence: evidence, status: status))
        }
        let counted = claims.filter { $0.status != "rejected" }.max { $0.points < $1.points }
        return Claims(candidateID: candidateID, claims: claims, countedPolicyCode: counted?.policyCode, countedPoints: counted?.points ?? 0)
    }
}
