import Access
import Contracts
import Foundation
import Hummingbird
import Logging
import Messaging
import PostgresNIO
import ServiceRuntime

/// The registration flow form (报名流程表) of a confirmed or submitted candidate, asked for by
/// staff covering the candidate's point: `POST /staff/candidates/{id}/flow-form` records the
/// request and emits `DocumentRequested` in one transaction (202); `GET /staff/document-requests/{id}`
/// says where it stands.
struct FlowFormRoutes: Sendable {
    let access: AccessControl
    let postgres: PostgresClient
    let logger: Logger

    func add(to routes: ServiceRoutes) {
        routes.staff.post("staff/candidates/{id}/flow-form", use: request)
        routes.staff.get("staff/document-requests/{id}", use: status)
    }

    struct RequestStatus: Codable, Sendable {
        let requestID: UUID
        let kind: String
        let candidateID: Int64
        let status: String
    }

    @Sendable func request(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<RequestStatus> {
        let member = try context.staff
        let candidateID = try context.positiveID()
        // The candidate's point (or, before one is chosen, the county) decides who may ask.
        let rows = try await postgres.query(
            """
            SELECT s.path::text, c.status FROM candidate_account c JOIN candidate_scope s ON s.candidate_id = c.id
            WHERE c.id = \(candidateID)
            """, logger: logger)
        var found: (String, String)?
        for try await row in rows.decode((String, String).self) { found = row }
        try await access.staff.requireScope(member, covers: found?.0, action: "flow_form.request", target: .candidate(candidateID), request: request)
        guard let (_, candidateStatus) = found else { throw APIError.notFound }
        guard candidateStatus != "registered" else {
            throw APIError(.conflict, code: "flow_form.not_submitted", message: "考生尚未提交报名信息，不能打印报名流程表")
        }
        let event = DocumentRequested(requestID: UUID(), kind: .registrationFlowForm, candidateID: candidateID, requestedBy: member.id)
        try await postgres.withTransaction(logger: logger) { connection in
            try await connection.query(
                """
                INSERT INTO document_request (id, kind, candidate_id, requested_by)
                VALUES (\(event.requestID), \(event.kind.rawValue), \(candidateID), \(member.id))
                """, logger: logger)
            try await Outbox.append(
                [try OutboxEvent(Envelope(event: event), aggregateID: "candidate-\(candidateID)", routingKey: DocumentRequested.routingKey)],
                in: connection, logger: logger)
            try await AuditLog.record(
                .staff(member), action: "flow_form.request", target: .candidate(candidateID), clientAddress: request.clientAddress,
                on: connection, logger: logger)
        }
        return JSONOutput(RequestStatus(requestID: event.requestID, kind: event.kind.rawValue, candidateID: candidateID, status: "queued"), status: .accepted)
    }

    @Sendable func status(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<RequestStatus> {
        let member = try context.staff
        guard let raw = context.parameters.get("id"), let id = UUID(uuidString: raw) else {
            throw APIError.invalid(field: "id", code: "id.format", message: "编号格式不正确")
        }
        let rows = try await postgres.query(
            """
            SELECT d.kind, d.candidate_id, d.status, s.path::text
            FROM document_request d JOIN candidate_scope s ON s.candidate_id = d.candidate_id
            WHERE d.id = \(id)
            """, logger: logger)
        var found: (String, Int64, String, String)?
        for try await row in rows.decode((String, Int64, String, String).self) { found = row }
        try await access.staff.requireScope(member, covers: found?.3, action: "document_request.read", target: .init(kind: "document_request", id: raw), request: request)
        guard let (kind, candidateID, status, _) = found else { throw APIError.notFound }
        return JSONOutput(RequestStatus(requestID: id, kind: kind, candidateID: candidateID, status: status))
    }
}
