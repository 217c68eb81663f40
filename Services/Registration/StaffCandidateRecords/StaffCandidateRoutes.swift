import Access
import Foundation
import Hummingbird
import ServiceRuntime

/// Candidate records as staff see them, always within their subtree (or, for a point's operator,
/// the candidates who chose that point) and always audited:
/// - `GET /staff/candidates/{id}`; `POST /staff/candidates/lookup` (by ID number, in the body:
///   never in a URL, which logs keep);
/// - `PUT /staff/candidates/{id}/phone`: a correction made at the point after checking identity.
struct StaffCandidateRoutes: Sendable {
    let access: AccessControl
    let store: CandidateAccountStore

    func add(to routes: ServiceRoutes) {
        routes.staff.get("staff/candidates/{id}", use: read)
        routes.staff.post("staff/candidates/lookup", use: lookup)
        routes.staff.put("staff/candidates/{id}/phone", use: correctPhone)
    }

    @Sendable func read(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<CandidateAccountView> {
        let member = try context.staff
        let id = try context.positiveID()
        return JSONOutput(try await scoped(id, member, action: "candidate.read", request: request))
    }

    struct Lookup: Decodable {
        let documentType: IdentityDocumentType?
        let documentNumber: String
    }

    @Sendable func lookup(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<CandidateAccountView> {
        let member = try context.staff
        let input = try await JSONInput.decode(Lookup.self, from: request)
        var validation = Validation()
        let document = CandidateAccountRoutes.document(input.documentType ?? .residentID, input.documentNumber, &validation)
        try validation.check()
        guard let document else { throw APIError.invalid(validation.errors) }
        guard let found = try await store.credentials(document) else {
            try await access.audit.record(.staff(member), action: "candidate.lookup", target: .init(kind: "candidate", id: "-"), request: request)
            throw APIError.notFound
        }
        return JSONOutput(try await scoped(found.id, member, action: "candidate.lookup", request: request))
    }

    struct PhoneCorrection: Decodable {
        let phone: String
    }

    @Sendable func correctPhone(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<CandidateAccountView> {
        let member = try context.staff
        let id = try context.positiveID()
        let input = try await JSONInput.decode(PhoneCorrection.self, from: request)
        let found = try await store.account(id)
        guard let found, member.reaches(candidateIn: found.countyPath, choosing: found.pointID), member.changesCandidates else {
            try await access.audit.record(.staff(member), action: "candidate.phone.change", target: .candidate(id), outcome: .denied, request: request)
            throw APIError.forbidden
        }
        if let problem = ContactRules.mobileProblem(input.phone) {
            throw APIError.invalid(field: "phone", code: problem.code, message: problem.message)
        }
        try await store.setPhone(id, input.phone, audit: (.staff(member), request.clientAddress))
        guard let changed = try await store.account(id) else { throw APIError.notFound }
        return JSONOutput(changed.view)
    }

    /// The record if the member reaches it (audited as read), else 403 (audited as denied). A
    /// missing id is also 403: staff cannot tell "elsewhere" from "nowhere".
    private func scoped(_ id: Int64, _ member: StaffMember, action: String, request: Request) async throws -> CandidateAccountView {
        let found = try await store.account(id)
        guard let found, member.reaches(candidateIn: found.countyPath, choosing: found.pointID) else {
            try await access.audit.record(.staff(member), action: action, target: .candidate(id), outcome: .denied, request: request)
            throw APIError.forbidden
        }
        try await access.audit.record(.staff(member), action: action, target: .candidate(id), request: request)
        return found.view
    }
}
