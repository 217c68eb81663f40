import Access
import Foundation
import Hummingbird
import ServiceRuntime

/// On-site confirmation (现场确认) by a point's operator:
/// `POST /staff/confirmations` with the candidate's ID document: the candidate must have
/// submitted, chosen this point and had the photo taken; confirmation locks the registration and
/// gives the number. Holders of permits and foreign documents go to their city instead
/// (`pending_city_review`, with the operator's notes and at least one document scan), and the
/// city decides: `GET /staff/permit-reviews`, `POST /staff/permit-reviews/{id}/approve|refuse`.
struct ConfirmationRoutes: Sendable {
    let access: AccessControl
    let desk: OperatorDesk
    let store: ConfirmationStore

    func add(to routes: ServiceRoutes) {
        routes.staff.post("staff/confirmations", use: confirm)
        routes.staff.get("staff/permit-reviews", use: permitCases)
        routes.staff.post("staff/permit-reviews/{id}/approve") { request, context in try await decide(request, context, approve: true) }
        routes.staff.post("staff/permit-reviews/{id}/refuse") { request, context in try await decide(request, context, approve: false) }
    }

    struct Request: Decodable {
        let documentType: IdentityDocumentType?
        let documentNumber: String
        /// For permit holders: what the operator checked, for the city.
        let notes: String?
    }

    struct Confirmed: Encodable, Sendable {
        let candidateID: Int64
        let status: String
        let candidateNumber: String?
    }

    @Sendable func confirm(_ request: Hummingbird.Request, _ context: ExamRequestContext) async throws -> JSONOutput<Confirmed> {
        let member = try await desk.operatorOnDuty(request, context, action: "candidate.confirm", target: .init(kind: "candidate", id: "-"))
        let input = try await JSONInput.decode(Request.self, from: request)
        let document: IdentityDocument
        switch IdentityDocument.validate(type: input.documentType ?? .residentID, number: input.documentNumber) {
        case .success(let valid): document = valid
        case .failure(let problem): throw APIError.invalid(field: "documentNumber", code: problem.code, message: problem.message)
        }
        var validation = Validation()
        let notes = input.notes.flatMap { validation.text($0, field: "notes", length: 2...500) }
        try validation.check()
        guard let year = try await store.currentYear() else { throw APIError(.conflict, code: "exam_year.none", message: "本年度报名尚未开放") }
        switch try await store.confirm(document, notes: notes, by: member, year: year, clientAddress: request.clientAddress) {
        case .confirmed(let candidateID, let number):
            return JSONOutput(Confirmed(candidateID: candidateID, status: "confirmed", candidateNumber: number))
        case .referredToCity(let candidateID):
            return JSONOutput(Confirmed(candidateID: candidateID, status: "pending_city_review", candidateNumber: nil), status: .accepted)
        case .notFound:
            throw APIError(.notFound, code: "candidate.not_found", message: "没有找到该证件号码的考生")
        case .otherPoint(let candidateID):
            try await access.audit.record(.staff(member), action: "candidate.confirm", target: .candidate(candidateID), outcome: .denied, request: request)
            throw APIError(.forbidden, code: "candidate.other_point", message: "该考生未选择本确认点")
        case .wrongState(let status, let number):
            let message = switch status {
            case "registered": "该考生尚未提交报名信息"
            case "pending_city_review": "该考生的证件正在等待市级审核"
            default: "该考生已确认" + (number.map { "（考生号 \($0)）" } ?? "")
            }
            throw APIError(.conflict, code: "candidate.state", message: message)
        case .photoMissing:
            throw APIError(.conflict, code: "confirmation.photo_missing", message: "请先采集考生相片")
        case .formInvalid(let problems):
            throw APIError(
                .conflict, code: "confirmation.form_invalid", message: "考生提交的报名信息不符合现行规定，请考生按提示修改并重新提交后再确认",
                fields: problems)
        case .scanMissing:
            throw APIError(.conflict, code: "confirmation.scan_missing", message: "请先上传考生证件的扫描件")
        case .notesMissing:
            throw APIError.invalid(field: "notes", code: "required", message: "请填写资格审核意见，供市级审核")
        }
    }

    @Sendable func permitCases(_ request: Hummingbird.Request, _ context: ExamRequestContext) async throws -> JSONOutput<[ConfirmationStore.PermitCase]> {
        let member = try context.staff
        guard member.roles.contains(.cityOfficer) || member.isProvinceAdministrator else {
            try await access.audit.record(.staff(member), action: "permit_review.list", target: .init(kind: "permit_review", id: "-"), outcome: .denied, request: request)
            throw APIError.forbidden
        }
        return JSONOutput(try await store.openPermitCases(under: member.nodePath))
    }

    struct Decision: Decodable {
        let reason: String?
    }

    struct Decided: Encodable, Sendable {
        let candidateID: Int64
        let status: String
        let candidateNumber: String?
    }

    @Sendable func decide(_ request: Hummingbird.Request, _ context: ExamRequestContext, approve: Bool) async throws -> JSONOutput<Decided> {
        let member = try context.staff
        let candidateID = try context.positiveID()
        let action = approve ? "permit_review.approve" : "permit_review.refuse"
        guard member.roles.contains(.cityOfficer) else {
            try await access.audit.record(.staff(member), action: action, target: .candidate(candidateID), outcome: .denied, request: request)
            throw APIError.forbidden
        }
        let input = try await JSONInput.decode(Decision.self, from: request)
        var validation = Validation()
        let reason = input.reason.flatMap { validation.text($0, field: "reason", length: 2...200) }
        if !approve && reason == nil && validation.errors.isEmpty { validation.add("reason", "required", "请填写不予通过的原因") }
        try validation.check()
        let path = try await store.openPermitCasePath(candidateID)
        try await access.staff.requireScope(member, covers: path, action: action, target: .candidate(candidateID), request: request)
        guard let year = try await store.currentYear() else { throw APIError(.conflict, code: "exam_year.none", message: "本年度报名尚未开放") }
        let actor = ConfirmationStore.Actor(member: member, clientAddress: request.clientAddress)
        guard let outcome = try await store.decidePermitCase(candidateID, approve ? .approve : .refuse(reason: reason ?? ""), year: year, actor: actor) else {
            throw APIError(.conflict, code: "permit_review.state", message: "该考生不在待市级审核状态")
        }
        return JSONOutput(Decided(candidateID: candidateID, status: outcome == nil ? "submitted" : "confirmed", candidateNumber: outcome))
    }
}
