import Access
import Foundation
import Hummingbird
import ServiceRuntime

/// On-site confirmation (现场确认) by a point's operator:
/// `POST /staff/confirmations` with the candidate's ID document: the candidate must have
/// submitted and chosen this point; confirmation locks the registration and gives the number.
struct ConfirmationRoutes: Sendable {
    let access: AccessControl
    let store: ConfirmationStore

    func add(to router: Router<BasicRequestContext>) {
        router.post("staff/confirmations", use: confirm)
    }

    struct Request: Decodable {
        let documentType: IdentityDocumentType?
        let documentNumber: String
    }

    struct Confirmed: Encodable, Sendable {
        let candidateID: Int64
        let candidateNumber: String
    }

    @Sendable func confirm(_ request: Hummingbird.Request, _ context: BasicRequestContext) async throws -> JSONOutput<Confirmed> {
        let member = try await access.staff.member(request)
        guard member.roles.contains(.confirmationPointOperator), member.nodeKind == .confirmationPoint else {
            try await access.audit.record(.staff(member), action: "candidate.confirm", target: .init(kind: "candidate", id: "-"), outcome: .denied, request: request)
            throw APIError.forbidden
        }
        let input = try await JSONInput.decode(Request.self, from: request)
        let document: IdentityDocument
        switch IdentityDocument.validate(type: input.documentType ?? .residentID, number: input.documentNumber) {
        case .success(let valid): document = valid
        case .failure(let problem): throw APIError.invalid(field: "documentNumber", code: problem.code, message: problem.message)
        }
        guard let year = try await store.currentYear() else { throw APIError(.conflict, code: "exam_year.none", message: "本年度报名尚未开放") }
        switch try await store.confirm(document, by: member, year: year, clientAddress: request.clientAddress) {
        case .confirmed(let candidateID, let number):
            return JSONOutput(Confirmed(candidateID: candidateID, candidateNumber: number))
        case .notFound:
            throw APIError(.notFound, code: "candidate.not_found", message: "没有找到该证件号码的考生")
        case .otherPoint(let candidateID):
            try await access.audit.record(.staff(member), action: "candidate.confirm", target: .candidate(candidateID), outcome: .denied, request: request)
            throw APIError(.forbidden, code: "candidate.other_point", message: "该考生未选择本确认点")
        case .wrongState(let status, let number):
            let message = switch status {
            case "registered": "该考生尚未提交报名信息"
            default: "该考生已确认" + (number.map { "（考生号 \($0)）" } ?? "")
            }
            throw APIError(.conflict, code: "candidate.state", message: message)
        }
    }
}
