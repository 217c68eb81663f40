import Access
import Contracts
import Foundation
import Hummingbird
import ServiceRuntime

/// Staff corrections of a confirmed candidate's basic information (SPEC §3: after confirmation
/// nothing the candidate enters changes; staff corrections are audited):
/// `PATCH /staff/candidates/{id}/form/basic` `{"changes": {"postalAddress": "..."}}` by staff who
/// change candidates and cover the candidate. The corrected form must pass the rules a point
/// asks at confirmation; once the province has accepted the city's data report, only after it
/// reopens the report. The audit row names the fields changed.
struct FormCorrectionRoutes: Sendable {
    let access: AccessControl
    let accounts: CandidateAccountStore
    let check: SubmittedFormCheck

    func add(to routes: ServiceRoutes) {
        routes.staff.patch("staff/candidates/{id}/form/basic", use: correct)
    }

    struct Correction: Decodable {
        let changes: [String: String?]
    }

    @Sendable func correct(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<RegistrationForm> {
        let member = try context.staff
        let id = try context.positiveID()
        let found = try await accounts.account(id)
        guard let found, member.changesCandidates, member.reaches(candidateIn: found.countyPath, choosing: found.pointID) else {
            try await access.audit.record(.staff(member), action: "candidate.form.correct", target: .candidate(id), outcome: .denied, request: request)
            throw APIError.forbidden
        }
        let input = try await JSONInput.decode(Correction.self, from: request)
        var validation = Validation()
        if input.changes.isEmpty { validation.add("changes", "correction.empty", "请填写要更正的字段") }
        for field in input.changes.keys.sorted() where !ReportedFields.basic.contains(field) {
            validation.add("changes.\(field)", "correction.unknown_field", "不能更正这个字段")
        }
        try validation.check()
        let form = try await check.correct(id, changes: input.changes, by: member, clientAddress: request.clientAddress)
        return JSONOutput(form)
    }
}
