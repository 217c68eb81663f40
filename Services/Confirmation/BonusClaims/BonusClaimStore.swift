import Access
import Logging
import PostgresNIO
import Storage

/// `bonus_claim` rows, and the year's policies they are made under.
struct BonusClaimStore: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    func policies() async throws -> BonusPolicies {
        let list = try await CurrentExamYear.codeList("bonusPolicies", postgres: postgres, logger: logger)
        let byCode = Dictionary((list?.codes ?? []).map { ($0.code, (name: $0.name, points: $0.points ?? 0)) }, uniquingKeysWith: { first, _ in first })
        return BonusPolicies(year: list?.year, byCode: byCode)
    }

    /// Adds the claim with its audit row; refused when the candidate already has this policy's.
    func add(policyCode: String, evidence: String, for candidateID: Int64, year: Int, by member: StaffMember, clientAddress: String) async throws {
        try await postgres.withTransaction(logger: logger) { connection in
            let inserted = try await connection.query(
                """
                INSERT INTO bonus_claim (candidate_id, year, policy_code, evidence, entered_by)
                VALUES (\(candidateID), \(year), \(policyCode), \(evidence), \(member.id))
                ON CONFLICT (candidate_id, year, policy_code) DO NOTHING RETURNING true
                """, logger: logger
            ).decode(Bool.self).first { _ in true }
            guard inserted == true else { throw BonusClaims.duplicate }
            try await AuditLog.record(.staff(member), action: "bonus_claim.add", target: .candidate(candidateID), clientAddress: clientAddress, on: connection, logger: logger)
        }
    }

    func claims(of candidateID: Int64, policies: BonusPolicies) async throws -> BonusClaims {
        let rows = try await postgres.query(
            // The city's decision is Review's (`bonus_award`); until it is made the claim is `claimed`.
            """
            SELECT b.policy_code, b.evidence, coalesce(a.decision, 'claimed') FROM bonus_claim b
            LEFT JOIN bonus_award a ON (a.candidate_id, a.year, a.policy_code) = (b.candidate_id, b.year, b.policy_code)
            WHERE b.candidate_id = \(candidateID) AND b.year = \(policies.year ?? 0) ORDER BY b.id
            """,
            logger: logger)
        var claims: [BonusClaimRecord] = []
        for try await (code, evidence, status) in rows.decode((String, String, String).self) {
            let policy = policies[code]
            claims.append(BonusClaimRecord(policyCode: code, policyName: policy?.name ?? code, points: policy?.points ?? 0, evidence: evidence, status: status))
        }
        return BonusClaims(candidateID: candidateID, claims: claims)
    }
}
