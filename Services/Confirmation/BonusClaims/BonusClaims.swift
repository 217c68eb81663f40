import ServiceRuntime

/// The current year's bonus-point policies (照顾加分) by code, with their names and points.
struct BonusPolicies: Sendable {
    let year: Int?
    let byCode: [String: (name: String, points: Int)]
    subscript(code: String) -> (name: String, points: Int)? { byCode[code] }
}

/// One claim as staff see it.
struct BonusClaimRecord: Codable, Sendable, Equatable {
    let policyCode: String
    let policyName: String
    let points: Int
    let evidence: String
    let status: String
}

/// A candidate's claims and the one that counts.
struct BonusClaims: Codable, Sendable {
    let candidateID: Int64
    let claims: [BonusClaimRecord]
    /// The policy whose points count: the highest.
    let countedPolicyCode: String?
    let countedPoints: Int

    /// Where a candidate meets several policies only the highest counts (SPEC §2); a rejected
    /// claim counts for nothing.
    init(candidateID: Int64, claims: [BonusClaimRecord]) {
        self.candidateID = candidateID
        self.claims = claims
        let counted = claims.filter { $0.status != "rejected" }.max { $0.points < $1.points }
        countedPolicyCode = counted?.policyCode
        countedPoints = counted?.points ?? 0
    }

    static let duplicate = Refusal.conflict("bonus_claim.duplicate", "该考生已登记这项照顾加分")
}
