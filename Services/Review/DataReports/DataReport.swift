import Access
import Contracts
import Foundation
import HTTPTypes
import ServiceRuntime

/// A data report (数据上报) as staff see it: who reported which unit, when, how many candidates,
/// the snapshot's digest, and what the level above did with it.
struct DataReportSummary: Codable, Sendable {
    let id: Int64
    let year: Int
    let unitID: String
    let unitName: String
    /// `county` (to its city) or `city` (to the province's information office).
    let level: String
    /// `reported`, then `accepted` or `returned`; an accepted one may be `reopened`.
    let status: String
    let previousID: Int64?
    let candidates: Int
    /// SHA-256 over the snapshot's rows in candidate order.
    let digest: String
    let reportedAt: Date
    let decidedAt: Date?
    let returnReason: String?
    let returnItems: [ReturnItem]
    let reopenedAt: Date?
    let reopenReason: String?
}

/// What a returned report names: a candidate, a field of theirs, or both, with a note.
struct ReturnItem: Codable, Sendable, Equatable {
    let candidateID: Int64?
    let field: String?
    let note: String
}

/// Something that stops a unit from reporting, with the candidates (or counties) it concerns.
struct ReportBlocker: Codable, Sendable, Equatable {
    let kind: String
    let message: String
    let count: Int
    /// Up to 100 of them.
    let candidateIDs: [Int64]
    let unitIDs: [String]
}

/// The difference between a report and the previous report of its unit.
struct ReportDifference: Codable, Sendable {
    struct Changed: Codable, Sendable, Equatable {
        let candidateID: Int64
        let fields: [String]
        /// As staff read them.
        let fieldNames: [String]
    }

    let reportID: Int64
    let previousID: Int64?
    let added: [Int64]
    let removed: [Int64]
    let changed: [Changed]
}

/// Who reports, who decides, and what stops them.
enum DataReportRules {
    /// The level a member reports at: a county officer for their county, a city officer for
    /// their city; nil for everyone else.
    static func reportingLevel(of member: StaffMember) -> String? {
        if member.nodeKind == .county && member.roles.contains(.countyOfficer) { return "county" }
        if member.nodeKind == .city && member.roles.contains(.cityOfficer) { return "city" }
        return nil
    }

    /// Whether `member` is the level above a report of `level` for the unit at `unitPath`: the
    /// unit's city for a county, the province for a city.
    static func decides(_ member: StaffMember, level: String, unitPath: String) -> Bool {
        switch level {
        case "county": member.nodeKind == .city && member.roles.contains(.cityOfficer) && member.covers(path: unitPath) && member.nodePath != unitPath
        case "city": member.isProvinceAdministrator
        default: false
        }
    }

    static func blockerMessage(_ kind: String) -> String {
        switch kind {
        case "pending_city_review": "有考生的证件待市级审核"
        case "unpaid_without_reason": "有已确认未缴费的考生未登记原因"
        case "no_photo": "有考生没有相片"
        case "bonus_open": "有照顾加分申请未审核"
        case "exemption_open": "有免试入学申请未审定"
        case "county_not_accepted": "有县市区的数据上报尚未被接收"
        default: kind
        }
    }

    static func blocked(_ blockers: [ReportBlocker]) -> APIError {
        APIError(
            .conflict, code: "report.blocked", message: "还有问题未处理，不能上报",
            fields: blockers.map { blocker in
                let who = blocker.candidateIDs.isEmpty ? blocker.unitIDs.joined(separator: "、") : blocker.candidateIDs.map(String.init).joined(separator: "、")
                return FieldError(field: blocker.kind, code: "report.blocker.\(blocker.kind)", message: "\(blocker.message)（\(blocker.count)）：\(who)")
            })
    }

    static let notReporter = Refusal.forbidden("report.not_reporter", "只有县市区或市州招生考试机构的工作人员可以上报")
    static let pending = Refusal.conflict("report.pending", "上次上报还在等待上级处理")
    static let accepted = Refusal.conflict("report.accepted", "数据已被上级接收，须由上级重新开放后再上报")
    static let notPending = Refusal.conflict("report.not_pending", "只能处理等待中的上报")
    static let notAccepted = Refusal.conflict("report.not_accepted", "只能重新开放已接收的上报")
    static let cityReported = Refusal.conflict("report.city_reported", "市州已向省级上报，须先由省级退回或重新开放市州的上报")
    static let none = Refusal.notFound("report.none", "没有这次上报")
    static let noYear = Refusal.notFound("exam_year.none", "本年度报名尚未开放")
    static let noPrevious = Refusal.notFound("report.no_previous", "这是该单位的第一次上报")
    static let dbfNotAccepted = Refusal.conflict("export.dbf_not_accepted", "DBF 只导出省级已接收的市州数据")

    /// The names of a report's fields as staff read them.
    static func label(_ field: String) -> String { ReportedFields.labels[field] ?? field }
}
