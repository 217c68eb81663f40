import Foundation
import ServiceRuntime

/// A candidate's application for exemption from the exam (免试入学), as the candidate sees it.
struct ExemptionApplication: Codable, Sendable, Equatable {
    let categoryCode: String
    let categoryName: String
    let reason: String
    /// `applied`, then the city's `city_passed` or `city_refused`, then the province's `approved` or `refused`.
    let status: String
    let appliedAt: Date
    /// The city's or the province's reason, once one refused.
    let refusalReason: String?
}

/// Who may apply, and until when the application may change.
enum ExemptionRules {
    /// After submitting and until the candidate is exempt or invalid (exemption applicants
    /// confirm and pay like everyone else).
    static func refusal(toApplyIn status: String) -> Refusal? {
        switch status {
        case "submitted", "pending_city_review", "confirmed", "paid": nil
        case "registered": .conflict("exemption.not_submitted", "请先提交报名信息，再申请免试入学")
        default: .conflict("exemption.closed", "当前报名状态不能申请免试入学")
        }
    }

    static let underReview = Refusal.conflict("exemption.under_review", "免试申请已进入审核，不能再修改")
    static let none = Refusal.notFound("exemption.none", "尚未申请免试入学")
    static let noYear = Refusal.notFound("exam_year.none", "本年度报名尚未开放")
}
