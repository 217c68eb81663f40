import Access
import Logging
import PostgresNIO

/// Confirmed candidates who have not paid, and why (`unpaid_follow_up`).
struct UnpaidFollowUpStore: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    struct UnpaidCandidate: Codable, Sendable, Equatable {
        let candidateID: Int64
        let name: String
        let documentNumber: String
        let candidateNumber: String
        let reason: String?
    }

    struct PointSummary: Codable, Sendable, Equatable {
        let pointID: String
        let pointName: String
        let unpaid: Int
        let withReason: Int
    }

    /// The counts per point in the subtree at `nodePath`.
    func summaries(under nodePath: String) async throws -> [PointSummary] {
        var summaries: [PointSummary] = []
        for try await (point, name, unpaid, withReason) in try await postgres.query(
            """
            SELECT k.confirmation_point_id, n.name, count(*)::int, count(f.candidate_id)::int
            FROM candidate_confirmation k
            JOIN candidate_account c ON c.id = k.candidate_id AND c.status = 'confirmed'
            JOIN organisation_node n ON n.id = k.confirmation_point_id
            LEFT JOIN unpaid_follow_up f ON f.candidate_id = c.id
            WHERE n.path <@ \(nodePath)::ltree
            GROUP BY k.confirmation_point_id, n.name ORDER BY k.confirmation_point_id LIMIT 2000
            """, logger: logger
        ).decode((String, String, Int, Int).self) {
            summaries.append(PointSummary(pointID: point, pointName: name, unpaid: unpaid, withReason: withReason))
        }
        return summaries
    }

    /// A point's confirmed, unpaid candidates (masked), by candidate number.
    func candidates(confirmedAt pointID: String) async throws -> [UnpaidCandidate] {
        var candidates: [UnpaidCandidate] = []
        for try await (id, name, document, number, reason) in try await postgres.query(
            """
            SELECT c.id, c.name, c.document_number_masked, k.candidate_number, f.reason
            FROM candidate_confirmation k JOIN candidate_account c ON c.id = k.candidate_id AND c.status = 'confirmed'
            LEFT JOIN unpaid_follow_up f ON f.candidate_id = c.id
            WHERE k.confirmation_point_id = \(pointID) ORDER BY k.candidate_number LIMIT 5000
            """, logger: logger
        ).decode((Int64, String, String, String, String?).self) {
            candidates.append(UnpaidCandidate(candidateID: id, name: name, documentNumber: document, candidateNumber: number, reason: reason))
        }
        return candidates
    }

    /// Where the candidate was confirmed, and their status now; nil for one never confirmed.
    func confirmation(of candidateID: Int64) async throws -> (pointID: String, status: String)? {
        try await postgres.query(
            """
            SELECT k.confirmation_point_id, c.status FROM candidate_confirmation k JOIN candidate_account c ON c.id = k.candidate_id
            WHERE k.candidate_id = \(candidateID)
            """, logger: logger
        ).decode((String, String).self).first { _ in true }.map { (pointID: $0, status: $1) }
    }

    /// Records (or replaces) the reason, with its audit row.
    func record(_ reason: String, for candidateID: Int64, by member: StaffMember, clientAddress: String) async throws {
        try await postgres.withTransaction(logger: logger) { connection in
            try await connection.query(
                """
                INSERT INTO unpaid_follow_up (candidate_id, reason, recorded_by) VALUES (\(candidateID), \(reason), \(member.id))
                ON CONFLICT (candidate_id) DO UPDATE SET reason = excluded.reason, recorded_by = excluded.recorded_by, recorded_at = now()
                """, logger: logger)
            try await AuditLog.record(.staff(member), action: "unpaid.reason", target: .candidate(candidateID), clientAddress: clientAddress, on: connection, logger: logger)
        }
    }
}
