import Foundation

/// The documents this service makes, each with its page layouts (bundled in `Layouts/`, one JSON
/// file per page kind; a year may replace any of them).
enum DocumentKind: String, Codable, Sendable, CaseIterable {
    /// 报名流程表
    case registrationFlowForm = "registration_flow_form"
    /// 准考证
    case admissionTicket = "admission_ticket"
    /// A site's materials in one file: summary, then per room its door sheet, seat labels and sign-in sheets.
    case sitePack = "site_pack"
    /// 考生登记表
    case registrationRecord = "registration_record"

    /// The page kinds the document is drawn from.
    var pages: [PageKind] {
        switch self {
        case .registrationFlowForm: [.registrationFlowForm]
        case .admissionTicket: [.admissionTicket]
        case .sitePack: [.siteSummary, .doorSheet, .seatLabels, .signInSheet]
        case .registrationRecord: [.registrationRecord]
        }
    }
}

/// A page kind: one layout.
enum PageKind: String, Codable, Sendable, CaseIterable {
    case registrationFlowForm = "registration_flow_form"
    case admissionTicket = "admission_ticket"
    /// 考点汇总
    case siteSummary = "site_summary"
    /// 考场门贴
    case doorSheet = "door_sheet"
    /// 桌贴
    case seatLabels = "seat_labels"
    /// 签到表
    case signInSheet = "sign_in_sheet"
    /// 考生登记表
    case registrationRecord = "registration_record"

    /// The layout shipped with this release.
    var bundledLayout: Layout {
        get throws {
            guard let url = Bundle.module.url(forResource: rawValue, withExtension: "json", subdirectory: "Layouts") else {
                throw LayoutError.unknownList("layout \(rawValue)")
            }
            return try JSONDecoder().decode(Layout.self, from: Data(contentsOf: url))
        }
    }
}

extension PageKind {
    /// What a layout of this kind may use: values, lists with their items' values, and images.
    /// A year's layout is tried on sample content of exactly these names before it is accepted.
    var contract: (values: [String], lists: [String: [String]], images: [String]) {
        let site = ["year", "site", "district", "room", "groups", "range", "count"]
        switch self {
        case .admissionTicket:
            return (
                ["year", "name", "ticket", "candidateNumber", "documentNumber", "group", "site", "siteAddress", "room", "seat", "district", "rules", "qr", "keyID",
                 "version", "madeAt"], ["papers": ["date", "time", "subject"]], ["photo"]
            )
        case .registrationFlowForm:
            return (
                ["year", "name", "gender", "birthDate", "ethnicGroup", "politicalStatus", "documentType", "documentNumber", "candidateNumber", "educationLevel",
                 "graduatedFrom", "phone", "postalAddress", "point", "pointAddress", "pledge", "request", "madeAt"],
                ["choices": ["order", "level", "category", "form", "institution", "major"], "steps": ["step", "state"]], ["photo"]
            )
        case .siteSummary:
            return (
                ["year", "site", "siteID", "siteAddress", "district", "rooms", "candidates"],
                ["rooms": ["room", "groups", "range", "count"], "sessions": ["date", "time", "subjects"]], []
            )
        case .doorSheet: return (site, ["seats": ["seat", "ticket", "name"]], [])
        case .seatLabels: return (site, ["labels": ["seat", "ticket", "name"]], [])
        case .signInSheet: return (site + ["date", "time", "subject"], ["candidates": ["seat", "ticket", "name", "photo", "subject"]], [])
        case .registrationRecord:
            return (
                ["year", "name", "gender", "birthDate", "ethnicGroup", "politicalStatus", "documentType", "documentNumber", "candidateNumber", "ticket",
                 "educationLevel", "graduatedFrom", "graduationDate", "occupation", "workStartDate", "phone", "postalAddress", "postcode", "point", "choices",
                 "bonus", "total", "archiveScore", "institution", "major", "integrity", "madeAt"],
                ["scores": ["subject", "score"]], ["photo"]
            )
        }
    }

    /// Sample content with every name of the contract (for trying a layout).
    var sampleContent: DocumentContent {
        let contract = self.contract
        var content = DocumentContent()
        content.values = Dictionary(uniqueKeysWithValues: contract.values.map { ($0, "示例\($0)") })
        content.values["qr"] = "ZK1.sample.c2FtcGxl.c2lnbmF0dXJl"
        content.lists = contract.lists.mapValues { names in
            (1...2).map { index in Dictionary(uniqueKeysWithValues: names.map { ($0, "\($0)\(index)") }) }
        }
        return content
    }

    /// Draws `layout` with the sample content: a layout naming anything the contract lacks throws.
    func check(_ layout: Layout) throws {
        _ = try DocumentRenderer.render([.init(layout: layout, content: sampleContent)], title: rawValue)
    }
}
