import ServiceRuntime

/// A slot as the candidate sees it: its day and hours at their point, and the seats left.
struct AppointmentSlotView: Codable, Sendable, Equatable {
    let id: Int64
    let day: String
    let startsAt: String
    let endsAt: String
    let remaining: Int
}

/// What asking for a seat came to. Anything but `booked`/`unchanged` is a refusal, said once here.
enum BookingOutcome: Sendable, Equatable {
    case booked, unchanged
    case notSubmitted, noPoint, underCityReview, alreadyConfirmed, full, unknownSlot

    var refusal: Refusal? {
        switch self {
        case .booked, .unchanged: nil
        case .notSubmitted: .conflict("appointment.not_submitted", "请先提交报名信息，再预约现场确认时段")
        case .noPoint: .conflict("appointment.no_point", "请先在报名信息中选择报名确认点，再预约")
        case .underCityReview: .conflict("appointment.under_review", "您已在确认点办理，证件正在等待市级审核，无需再预约")
        case .alreadyConfirmed: .conflict("appointment.not_needed", "您已完成现场确认，无需再预约")
        case .full: .conflict("appointment.full", "该时段已约满，请选择其他时段")
        case .unknownSlot: .invalid(field: "slotID", code: "appointment.slot_unknown", message: "所选确认点没有这个时段")
        }
    }

    static let none = Refusal.notFound("appointment.none", "尚未预约")
}
