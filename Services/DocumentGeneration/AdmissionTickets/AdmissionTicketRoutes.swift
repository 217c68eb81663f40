import Access
import Foundation
import Hummingbird
import ServiceRuntime

/// The admission ticket as PDF: the candidate's own after publication (`GET /admission-ticket.pdf`),
/// or one a point operator prints for a candidate of their point (audited); and how far the
/// workers are with the province's tickets (`GET /staff/admission-tickets/progress`).
struct AdmissionTicketRoutes: Sendable {
    let access: AccessControl
    let store: AdmissionTicketStore
    let files: DocumentFiles

    func add(to routes: ServiceRoutes) {
        routes.candidate.get("admission-ticket.pdf", use: own)
        routes.staff.get("staff/candidates/{id}/admission-ticket.pdf", use: printed)
        routes.staff.get("staff/admission-tickets/progress", use: progress)
    }

    @Sendable func progress(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<AdmissionTicketStore.Progress> {
        let member = try context.staff
        try await access.staff.requireProvince(member, action: "admission_ticket.progress", target: .init(kind: "admission_ticket", id: "all"), request: request)
        guard let progress = try await store.progress() else {
            throw APIError(.conflict, code: "admission_ticket.unpublished", message: "本年度考场编排尚未发布")
        }
        return JSONOutput(progress)
    }

    @Sendable func own(_ request: Request, _ context: ExamRequestContext) async throws -> Response {
        try await answer(for: try context.candidate.accountID)
    }

    @Sendable func printed(_ request: Request, _ context: ExamRequestContext) async throws -> Response {
        let member = try context.staff
        let candidateID = try context.positiveID()
        let path = try await store.scopePath(of: candidateID)
        try await access.staff.requireScope(member, covers: path, action: "admission_ticket.print", target: .candidate(candidateID), request: request)
        let response = try await answer(for: candidateID)
        try await access.audit.record(.staff(member), action: "admission_ticket.print", target: .candidate(candidateID), request: request)
        return response
    }

    private func answer(for candidateID: Int64) async throws -> Response {
        switch try await store.ticket(of: candidateID) {
        case .unpublished:
            throw APIError(.conflict, code: "admission_ticket.unpublished", message: "准考证尚未发布，请留意考试院公告")
        case .file(let file, let year):
            return StoredFileResponse.pdf(try files.read(file), filename: "admission-ticket-\(year).pdf")
        }
    }
}
