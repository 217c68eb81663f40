import CandidateLifecycle
import Foundation
import ServiceRuntime

/// A candidate's application for exemption from the exam (免试入学), as the candidate sees it.
struct ExemptionApplication: Codable, Sendable, Equatable {
    let categoryCode: String
    let categoryName: String
    let reason: String
    /// `applied`, then the city's `city_passed` or `city_refused`, then the province's `approved` or `refused`.
    let status: String
    let statusName: String
    let appliedAt: Date
    /// The city's or the province's reason, once one refused.
    let refusalReason: String?
}

/// An application as the reviewing staff see it.
struct ExemptionCase: Codable, Sendable, Equatable {
    let candidateID: Int64
    let name: String
    let documentNumberMasked: String
    let countyID: String
    let candidateStatus: String
    let categoryCode: String
    let categoryName: String
    let reason: String
    let status: String
    let cityReason: String?
    let provinceReason: String?
}

/// The stages of an application and who may move it. The city's first review comes after the
/// payment deadline (only paid candidates sit the exam or are exempted) and may change until the
/// city submits its list; the province then decides what the city passed, once and for all.
enum ExemptionRules {
    static func statusName(_ status: String) -> String { ExemptionStage(rawValue: status)?.name ?? status }

    /// After submitting and until the candidate is exempt or invalid (exemption applicants
    /// confirm and pay like everyone else).
    static func refusal(toApplyIn status: String) -> Refusal? {
        switch status {
        case "submitted", "pending_city_review", "confirmed", "paid": nil
        case "registered": .conflict("exemption.not_submitted", "请先提交报名信息，再申请免试入学")
        default: .conflict("exemption.closed", "当前报名状态不能申请免试入学")
        }
    }

    /// Whether the city may (re)decide an application in `status` of a candidate in `candidateStatus`.
    static func refusal(cityReviewOf status: String, candidateStatus: String, listSubmitted: Bool) -> Refusal? {
        if candidateStatus != "paid" { return notPaid }
        if listSubmitted { return .conflict("exemption.list_submitted", "本市免试名单已上报省级，不能再修改初审结果") }
        return ["applied", "city_passed", "city_refused"].contains(status) ? nil : .conflict("exemption.decided", "省级已审定，不能再修改")
    }

    static func refusal(provinceDecisionOn status: String, listSubmitted: Bool) -> Refusal? {
        if !listSubmitted { return .conflict("exemption.list_not_submitted", "该市尚未上报免试名单") }
        switch status {
        case "city_passed": return nil
        case "approved", "refused": return .conflict("exemption.decided", "省级已审定")
        default: return .conflict("exemption.not_city_passed", "只审定市级初审通过的申请")
        }
    }

    static let notPaid = Refusal.conflict("exemption.not_paid", "只审核已缴费考生的免试申请")
    static let tooEarly = Refusal.conflict("exemption.too_early", "网上缴费截止后才能审核免试申请")
    static func openApplications(_ count: Int) -> Refusal {
        .conflict("exemption.open_applications", "还有 \(count) 份已缴费考生的免试申请未初审")
    }
    static let underReview = Refusal.conflict("exemption.under_review", "免试申请已进入审核，不能再修改")
    static let none = Refusal.notFound("exemption.none", "尚未申请免试入学")
    static let noYear = Refusal.notFound("exam_year.none", "本年度报名尚未开放")
}
