import Access
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import ServiceRuntime

/// Unpaid follow-up (seed 四.5, 19-20 Sep): a point checks every candidate it confirmed who has
/// not paid and records why; the county and the city see the summary of their points.
/// - `GET /staff/unpaid-candidates`: an operator gets its point's candidates (masked), anyone
///   above a point the counts per point of their subtree;
/// - `PUT /staff/unpaid-candidates/{id}/reason` `{"reason": "..."}`: the confirming point's operator.
struct UnpaidFollowUpRoutes: Sendable {
    let access: AccessControl
    let postgres: PostgresClient
    let logger: Logger

    func add(to routes: ServiceRoutes) {
        routes.staff.get("staff/unpaid-candidates", use: list)
        routes.staff.put("staff/unpaid-candidates/{id}/reason", use: record)
    }

    struct UnpaidCandidate: Codable, Sendable {
        let candidateID: Int64
        let name: String
        let documentNumber: String
        let candidateNumber: String
        let reason: String?
    }

    struct PointSummary: Codable, Sendable {
        let pointID: String
        let pointName: String
        let unpaid: Int
        let withReason: Int
    }

    struct Listing: Codable, Sendable {
        let candidates: [UnpaidCandidate]?
        let points: [PointSummary]
    }

    @Sendable func list(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<Listing> {
        let member = try context.staff
        var summaries: [PointSummary] = []
        for try await (point, name, unpaid, withReason) in try await postgres.query(
            """
            SELECT k.confirmation_point_id, n.name, count(*)::int, count(f.candidate_id)::int
            FROM candidate_confirmation k
            JOIN candidate_account c ON c.id = k.candidate_id AND c.status = 'confirmed'
            JOIN organisation_node n ON n.id = k.confirmation_point_id
            LEFT JOIN unpaid_follow_up f ON f.candidate_id = c.id
            WHERE n.path <@ \(member.nodePath)::ltree
            GROUP BY k.confirmation_point_id, n.name ORDER BY k.confirmation_point_id LIMIT 2000
            """, logger: logger
        ).decode((String, String, Int, Int).self) {
            summaries.append(PointSummary(pointID: point, pointName: name, unpaid: unpaid, withReason: withReason))
        }
        guard member.nodeKind == .confirmationPoint else { return JSONOutput(Listing(candidates: nil, points: summaries)) }
        var candidates: [UnpaidCandidate] = []
        for try await (id, name, document, number, reason) in try await postgres.query(
            """
            SELECT c.id, c.name, c.document_number_masked, k.candidate_number, f.reason
            FROM candidate_confirmation k JOIN candidate_account c ON c.id = k.candidate_id AND c.status = 'confirmed'
            LEFT JOIN unpaid_follow_up f ON f.candidate_id = c.id
            WHERE k.confirmation_point_id = \(member.nodeID) ORDER BY k.candidate_number LIMIT 5000
            """, logger: logger
        ).decode((Int64, String, String, String, String?).self) {
            candidates.append(UnpaidCandidate(candidateID: id, name: name, documentNumber: document, candidateNumber: number, reason: reason))
        }
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
        let found = try await postgres.query(
            """
            SELECT k.confirmation_point_id, c.status FROM candidate_confirmation k JOIN candidate_account c ON c.id = k.candidate_id
            WHERE k.candidate_id = \(candidateID)
            """, logger: logger
        ).decode((String, String).self).first { _ in true }
        guard member.roles.contains(.confirmationPointOperator), let (point, status) = found, point == member.nodeID else {
            try await access.audit.record(.staff(member), action: "unpaid.reason", target: .candidate(candidateID), outcome: .denied, request: request)
            throw APIError.forbidden
        }
        guard status == "confirmed" else { throw APIError(.conflict, code: "unpaid.not_unpaid", message: "该考生不是已确认未缴费状态") }
        let input = try await JSONInput.decode(Reason.self, from: request)
        var validation = Validation()
        let reason = validation.text(input.reason, field: "reason", length: 2...200)
        try validation.check()
        guard let reason else { throw APIError.invalid(validation.errors) }
        try await postgres.withTransaction(logger: logger) { connection in
            try await connection.query(
                """
                INSERT INTO unpaid_follow_up (candidate_id, reason, recorded_by) VALUES (\(candidateID), \(reason), \(member.id))
                ON CONFLICT (candidate_id) DO UPDATE SET reason = excluded.reason, recorded_by = excluded.recorded_by, recorded_at = now()
                """, logger: logger)
            try await AuditLog.record(.staff(member), action: "unpaid.reason", target: .candidate(candidateID), clientAddress: request.clientAddress, on: connection, logger: logger)
        }
        return JSONOutput(Recorded(candidateID: candidateID, reason: reason))
    }
}
