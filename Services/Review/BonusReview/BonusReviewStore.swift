import Access
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Storage

/// `bonus_award`, the city's decisions on bonus points, beside the claims the points recorded
/// (`bonus_claim`, Confirmation's, read here). Every change is audited, refused while the
/// candidate's reported data is locked, and marks the candidate for the statistics.
struct BonusReviewStore: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    func policies() async throws -> BonusPolicies {
        let list = try await CurrentExamYear.codeList("bonusPolicies", postgres: postgres, logger: logger)
        return BonusPolicies(year: list?.year, codes: list?.codes ?? [])
    }

    /// A candidate's claims and awards of `year`, each with the city's decision.
    func bonus(of candidateID: Int64, policies: BonusPolicies) async throws -> CandidateBonus {
        let year = policies.year ?? 0
        var items: [BonusItem] = []
        for try await (code, source, evidence, decision, reason) in try await postgres.query(
            """
            SELECT coalesce(b.policy_code, a.policy_code), coalesce(a.source, 'point_claim'), coalesce(a.evidence, b.evidence),
                   coalesce(a.decision, 'open'), a.reason
            FROM (SELECT policy_code, evidence FROM bonus_claim WHERE candidate_id = \(candidateID) AND year = \(year)) b
            FULL JOIN (SELECT * FROM bonus_award WHERE candidate_id = \(candidateID) AND year = \(year)) a ON a.policy_code = b.policy_code
            ORDER BY 1
            """, logger: logger
        ).decode((String, String, String?, String, String?).self) {
            let policy = policies[code]
            items.append(
                BonusItem(
                    policyCode: code, policyName: policy?.name ?? code, points: policy?.points ?? 0, source: source, evidence: evidence, decision: decision,
                    reason: reason))
        }
        return CandidateBonus(candidateID: candidateID, items: items)
    }

    /// The points' claims of candidates registered under `path`: `open` ones (no decision yet)
    /// or `decided` ones, after `after` (candidate id, policy code), ascending.
    func claims(under path: String, decided: Bool, after: (Int64, String), limit: Int, policies: BonusPolicies) async throws -> [BonusClaimCase] {
        var found: [BonusClaimCase] = []
        for try await (id, name, county, code, evidence, decision, reason) in try await postgres.query(
            """
            SELECT b.candidate_id, c.name, c.organisation_node_id, b.policy_code, b.evidence, coalesce(a.decision, 'open'), a.reason
            FROM bonus_claim b JOIN candidate_account c ON c.id = b.candidate_id JOIN organisation_node n ON n.id = c.organisation_node_id
            LEFT JOIN bonus_award a ON (a.candidate_id, a.year, a.policy_code) = (b.candidate_id, b.year, b.policy_code)
            WHERE n.path <@ \(path)::ltree AND b.year = \(policies.year ?? 0) AND (a.decision IS NOT NULL) = \(decided)
              AND (b.candidate_id, b.policy_code) > (\(after.0), \(after.1))
            ORDER BY b.candidate_id, b.policy_code LIMIT \(limit)
            """, logger: logger
        ).decode((Int64, String, String, String, String, String, String?).self) {
            let policy = policies[code]
            found.append(
                BonusClaimCase(
                    candidateID: id, name: name, countyID: county, policyCode: code, policyName: policy?.name ?? code, points: policy?.points ?? 0,
                    evidence: evidence, decision: decision, reason: reason))
        }
        return found
    }

    /// The city's decision on a point's claim (it may change its mind until the data is locked).
    func decide(_ candidateID: Int64, policy: String, year: Int, accept: Bool, reason: String?, by member: StaffMember, clientAddress: String) async throws {
        try await postgres.withTransaction(logger: logger) { connection in
            _ = try await ReviewedCandidate.find(candidateID, lock: true, on: connection, logger: logger)
            let claimed = try await connection.query(
                "SELECT EXISTS (SELECT 1 FROM bonus_claim WHERE candidate_id = \(candidateID) AND year = \(year) AND policy_code = \(policy))", logger: logger
            ).decode(Bool.self).first { _ in true } ?? false
            guard claimed else { throw BonusRefusals.noClaim }
            try await ReportedDataLock.check(candidateID, on: connection, logger: logger)
            let decision = accept ? "accepted" : "rejected"
            try await connection.query(
                """
                INSERT INTO bonus_award (candidate_id, year, policy_code, source, decision, reason, decided_by)
                VALUES (\(candidateID), \(year), \(policy), 'point_claim', \(decision), \(reason), \(member.id))
                ON CONFLICT (candidate_id, year, policy_code) DO UPDATE
                   SET decision = excluded.decision, reason = excluded.reason, decided_by = excluded.decided_by, decided_at = now()
                """, logger: logger)
            try await AuditLog.record(
                .staff(member), action: accept ? "bonus.accept" : "bonus.reject", target: .candidate(candidateID), clientAddress: clientAddress,
                on: connection, logger: logger)
            try await StatisticsMarks.mark([candidateID], on: connection, logger: logger)
        }
    }

    /// Candidates by their candidate number (考生号): id, county path, status, whether locked.
    func candidates(numbered numbers: [String]) async throws -> [String: (id: Int64, countyPath: String, status: String, locked: Bool)] {
        var found: [String: (Int64, String, String, Bool)] = [:]
        for try await (number, id, path, status, locked) in try await postgres.query(
            """
            SELECT k.candidate_number, c.id, n.path::text, c.status, candidate_data_locked(c.id)
            FROM candidate_confirmation k JOIN candidate_account c ON c.id = k.candidate_id JOIN organisation_node n ON n.id = c.organisation_node_id
            WHERE k.candidate_number = ANY(\(numbers))
            """, logger: logger
        ).decode((String, Int64, String, String, Bool).self) {
            found[number] = (id, path, status, locked)
        }
        return found.mapValues { (id: $0.0, countyPath: $0.1, status: $0.2, locked: $0.3) }
    }

    /// Entries of a city's list, all in one transaction; an entry whose candidate already has a
    /// decision on that policy is left as it is and reported. The entries written.
    func enter(_ entries: [(candidateID: Int64, policy: String, evidence: String)], year: Int, by member: StaffMember, clientAddress: String) async throws -> Set<Int> {
        try await postgres.withTransaction(logger: logger) { connection in
            var written = Set<Int>()
            for (index, entry) in entries.enumerated() {
                let inserted = try await connection.query(
                    """
                    INSERT INTO bonus_award (candidate_id, year, policy_code, source, decision, evidence, decided_by)
                    VALUES (\(entry.candidateID), \(year), \(entry.policy), 'city_list', 'accepted', \(entry.evidence), \(member.id))
                    ON CONFLICT DO NOTHING RETURNING true
                    """, logger: logger
                ).decode(Bool.self).first { _ in true } ?? false
                if inserted { written.insert(index) }
            }
            let ids = entries.enumerated().filter { written.contains($0.offset) }.map(\.element.candidateID)
            try await StatisticsMarks.mark(ids, on: connection, logger: logger)
            try await AuditLog.record(
                .staff(member), action: "bonus.list_enter(\(ids.count))", target: .init(kind: "organisation_node", id: member.nodeID),
                clientAddress: clientAddress, on: connection, logger: logger)
            return written
        }
    }
}
