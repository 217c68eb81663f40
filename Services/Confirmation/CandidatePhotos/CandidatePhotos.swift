import ServiceRuntime

/// The refusals of on-site records.
enum CandidatePhotos {
    /// A candidate's records change only between submission and confirmation.
    static func locked(_ status: String) -> Refusal {
        switch status {
        case "registered": .conflict("candidate.not_submitted", "该考生尚未提交报名信息")
        default: .conflict("candidate.locked", "该考生已确认，信息已锁定")
        }
    }

    static let noPhoto = Refusal.notFound("photo.none", "尚未采集考生相片")
    static let notPermitHolder = Refusal.conflict("document_scan.not_permit_holder", "只有持港澳台、华侨或外籍证件的考生需要上传证件扫描件")
}
