import Access
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import ServiceRuntime

/// Characters documents could not print (`GET /staff/document-problems`): for each, the
/// document, the candidate and the characters, within the member's subtree, newest first, so
/// that staff can hand-write them or ask the province for a font that has them.
struct GlyphProblemRoutes: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    func add(to routes: ServiceRoutes) {
        routes.staff.get("staff/document-problems", use: list)
    }

    struct Problem: Codable, Sendable {
        let kind: String
        let subject: String
        let version: Int
        let candidateID: Int64?
        let field: String
        let characters: String
        let notedAt: Date
    }

    struct Problems: Codable, Sendable {
        let problems: [Problem]
    }

    @Sendable func list(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<Problems> {
        let member = try context.staff
        var problems: [Problem] = []
        for try await (kind, subject, version, candidateID, field, characters, notedAt) in try await postgres.query(
            """
            SELECT p.kind, p.subject, p.version, nullif(p.candidate_id, 0), p.field, p.characters, p.noted_at
            FROM document_glyph_problem p LEFT JOIN candidate_scope s ON s.candidate_id = p.candidate_id
            WHERE s.path <@ \(member.nodePath)::ltree OR (p.candidate_id = 0 AND \(member.isProvinceAdministrator))
            ORDER BY p.noted_at DESC LIMIT 1000
            """, logger: logger
        ).decode((String, String, Int, Int64?, String, String, Date).self) {
            problems.append(Problem(kind: kind, subject: subject, version: version, candidateID: candidateID, field: field, characters: characters, notedAt: notedAt))
        }
        return JSONOutput(Problems(problems: problems))
    }
}
