import Access
import Foundation
import Hummingbird
import ServiceRuntime

/// The one rule for on-site work: the member is an operator bound to a confirmation point, the
/// point is within its working hours (or the county opened it for the day), and the candidate,
/// when there is one, chose this point. Every refusal is audited.
struct OperatorDesk: Sendable {
    let access: AccessControl
    let store: OperatorDeskStore
    var now: @Sendable () -> Date = { Date() }

    /// A candidate as the desk sees them.
    struct Candidate: Sendable {
        let id: Int64
        let status: String
        let documentType: IdentityDocumentType
    }

    /// The operator, refused with 403 unless on duty at an open point.
    func operatorOnDuty(_ request: Request, _ context: ExamRequestContext, action: String, target: AuditTarget) async throws -> StaffMember {
        let member = try context.staff
        guard member.roles.contains(.confirmationPointOperator), member.nodeKind == .confirmationPoint else {
            try await access.audit.record(.staff(member), action: action, target: target, outcome: .denied, request: request)
            throw APIError.forbidden
        }
        guard let (hours, overridden) = try await store.point(member.nodeID, on: CalendarDate.text(of: now())) else {
            try await access.audit.record(.staff(member), action: action, target: target, outcome: .denied, request: request)
            throw Refusal.forbidden("point.not_approved", "本确认点尚未获批，不能办理")
        }
        guard overridden || PointHours.contains(hours, now()) else {
            try await access.audit.record(.staff(member), action: action, target: target, outcome: .denied, request: request)
            let text = hours.map { $0.joined(separator: "-") }.joined(separator: "、")
            throw Refusal.forbidden("point.closed", "现在不在本确认点工作时间（\(text)）内，如需办理请联系县级招考机构")
        }
        return member
    }

    /// The operator and a candidate of their point (404 for no such candidate, 403 for another point's).
    func candidate(_ request: Request, _ context: ExamRequestContext, _ candidateID: Int64, action: String) async throws -> (StaffMember, Candidate) {
        let member = try await operatorOnDuty(request, context, action: action, target: .candidate(candidateID))
        guard let (candidate, pointID) = try await store.candidate(candidateID) else { throw APIError.notFound }
        guard pointID == member.nodeID else {
            try await access.audit.record(.staff(member), action: action, target: .candidate(candidateID), outcome: .denied, request: request)
            throw Refusal.forbidden("candidate.other_point", "该考生未选择本确认点")
        }
        return (member, candidate)
    }
}
