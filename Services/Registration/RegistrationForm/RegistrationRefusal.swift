import ServiceRuntime

/// Why a candidate's registration cannot be changed or read now.
enum RegistrationRefusal {
    /// A confirmed registration refuses every change, with the reason.
    static func locked(_ status: String) -> Refusal {
        .conflict("registration.locked", "报名信息已经现场确认（状态：\(status)），不能再修改；如确需更正，请到报名确认点办理")
    }

    static let noYear = Refusal.notFound("exam_year.none", "本年度报名尚未开放")
    /// The session's account is gone (accounts are never deleted: a session outliving its row).
    static let unknownCandidate = Refusal.notFound("candidate.unknown", "没有这个考生")
}
