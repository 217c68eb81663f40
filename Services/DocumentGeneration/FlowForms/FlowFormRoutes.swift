import Access
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import ServiceRuntime

/// A flow form's file: `GET /staff/document-requests/{id}/pdf` for staff covering the candidate's
/// point (audited); `GET /flow-form.pdf` for the candidate, the one their point requested last.
/// Either is made now if the worker has not reached the request yet.
struct FlowFormRoutes: Sendable {
    let access: AccessControl
    let postgres: PostgresClient
    let logger: Logger
    let maker: FlowFormMaker
    let files: DocumentFiles

    func add(to routes: ServiceRoutes) {
        routes.staff.get("staff/document-requests/{id}/pdf", use: download)
        routes.candidate.get("flow-form.pdf", use: own)
    }

    @Sendable func own(_ request: Request, _ context: ExamRequestContext) async throws -> Response {
        let candidateID = try context.candidate.accountID
        let latest = try await postgres.query(
            """
            SELECT id FROM document_request WHERE candidate_id = \(candidateID) AND kind = 'registration_flow_form'
            ORDER BY requested_at DESC LIMIT 1
            """, logger: logger
        ).decode(UUID.self).first { _ in true }
        guard let latest else {
            throw APIError(.notFound, code: "flow_form.none", message: "报名流程表在确认点现场确认时打印；确认点尚未为您生成")
        }
        return StoredFileResponse.pdf(try await form(request: latest, candidateID: candidateID), filename: "flow-form.pdf")
    }

    /// The request's stored file, drawn now if the worker has not reached it.
    private func form(request: UUID, candidateID: Int64) async throws -> [UInt8] {
        let file = try await postgres.withTransaction(logger: logger) { connection in
            try await maker.make(request: request, candidateID: candidateID, on: connection, logger: logger)
        }
        guard let file else { throw APIError.notFound }
        return try files.read(file)
    }

    @Sendable func download(_ request: Request, _ context: ExamRequestContext) async throws -> Response {
        let member = try context.staff
        guard let raw = context.parameters.get("id"), let id = UUID(uuidString: raw) else { throw APIError.notFound }
        let found = try await postgres.query(
            """
            SELECT d.candidate_id, s.path::text FROM document_request d JOIN candidate_scope s ON s.candidate_id = d.candidate_id
            WHERE d.id = \(id) AND d.kind = 'registration_flow_form'
            """, logger: logger
        ).decode((Int64, String).self).first { _ in true }
        try await access.staff.requireScope(member, covers: found?.1, action: "flow_form.print", target: .init(kind: "document_request", id: raw), request: request)
        guard let (candidateID, _) = found else { throw APIError.notFound }
        let bytes = try await form(request: id, candidateID: candidateID)
        try await access.audit.record(.staff(member), action: "flow_form.print", target: .candidate(candidateID), request: request)
        return StoredFileResponse.pdf(bytes, filename: "flow-form-\(raw.prefix(8).lowercased()).pdf")
    }
}
