import Access
import Contracts
import Foundation
import Hummingbird
import ServiceRuntime

/// The registration flow form (报名流程表) of a confirmed or submitted candidate, asked for by
/// staff covering the candidate's point: `POST /staff/candidates/{id}/flow-form` records the
/// request and emits `DocumentRequested` in one transaction (202); `GET /staff/document-requests/{id}`
/// says where it stands.
struct FlowFormRoutes: Sendable {
    let access: AccessControl
    let store: FlowFormStore

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
        let candidate = try await store.candidate(candidateID)
        try await access.staff.requireScope(member, covers: candidate?.scopePath, action: "flow_form.request", target: .candidate(candidateID), request: request)
        guard let candidate else { throw APIError.notFound }
        guard candidate.status != "registered" else {
            throw Refusal.conflict("flow_form.not_submitted", "考生尚未提交报名信息，不能打印报名流程表")
        }
        let event = DocumentRequested(requestID: UUID(), kind: .registrationFlowForm, candidateID: candidateID, requestedBy: member.id)
        try await store.record(event, by: member, clientAddress: request.clientAddress)
        return JSONOutput(RequestStatus(requestID: event.requestID, kind: event.kind.rawValue, candidateID: candidateID, status: "queued"), status: .accepted)
    }

    @Sendable func status(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<RequestStatus> {
        let member = try context.staff
        guard let raw = context.parameters.get("id"), let id = UUID(uuidString: raw) else {
            throw APIError.invalid(field: "id", code: "id.format", message: "编号格式不正确")
        }
        let found = try await store.request(id)
        try await access.staff.requireScope(member, covers: found?.scopePath, action: "document_request.read", target: .init(kind: "document_request", id: raw), request: request)
        guard let found else { throw APIError.notFound }
        return JSONOutput(RequestStatus(requestID: id, kind: found.kind, candidateID: found.candidateID, status: found.status))
    }
}
