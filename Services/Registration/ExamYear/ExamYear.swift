import Foundation
import ServiceRuntime

/// The levels (报考层次) of the adult entrance exam.
public enum StudyLevel: String, Codable, Sendable, CaseIterable {
    /// 高起本
    case highSchoolToBachelor = "high_school_to_bachelor"
    /// 高起专
    case highSchoolToAssociate = "high_school_to_associate"
    /// 专升本
    case associateToBachelor = "associate_to_bachelor"

    public var chineseName: String {
        switch self {
        case .highSchoolToBachelor: "高起本"
        case .highSchoolToAssociate: "高起专"
        case .associateToBachelor: "专升本"
        }
    }
}

/// 学习形式
public enum StudyForm: String, Codable, Sendable, CaseIterable {
    case partTime = "part_time"
    case correspondence
    case fullTime = "full_time"
}

/// One exam year's rules as the province loads them (`PUT /staff/exam-years/{year}`): the
/// calendar, the fee, the code lists the forms use, and the integrity pledge. Changing a window
/// is changing this document; no release.
public struct ExamYearDocument: Codable, Sendable, Equatable {
    public struct Calendar: Codable, Sendable, Equatable {
        public var registrationOpens: Date
        public var registrationCloses: Date
        /// Until this moment the `localOnlyCities` take only candidates whose household is there.
        public var localOnlyUntil: Date?
        public var localOnlyCities: [String]
        /// Staggered opening (SPEC §7, per-city time slots): the listed cities take submissions
        /// only from their group's moment, later than `registrationOpens`, so that the first
        /// hour's load is spread. A city in no group opens with the window.
        public var cityOpenings: [CityOpening]?
        public var paymentDeadline: Date
        /// Ages (低龄: under `lowAgeBelow`) are counted at this date.
        public var ageReferenceDate: String
        public var lowAgeBelow: Int
    }

    /// A group of cities (市州 codes) and the moment registration opens for them.
    public struct CityOpening: Codable, Sendable, Equatable {
        public var cities: [String]
        public var opens: Date
    }

    public struct Code: Codable, Sendable, Equatable {
        public var code: String
        public var name: String
        /// For education levels: the study levels a candidate with this education may apply for.
        public var levels: [StudyLevel]?
        /// For education levels: whether it is a diploma (专科 or above) that needs its number.
        public var diploma: Bool?
        /// For bonus-point policies: the points the policy adds.
        public var points: Int?
        /// For exemption categories: the evidence the candidate brings to the point.
        public var evidence: String?
        /// For bonus policies the data decides (SPEC §9), awarded without a claim.
        public var automatic: AutomaticBonusRule?
    }

    /// At least `minimumAge` years old on `on` (YYYY-MM-DD), from the ID document's birth date.
    public struct AutomaticBonusRule: Codable, Sendable, Equatable {
        public var minimumAge: Int
        public var on: String
    }

    public struct CodeLists: Codable, Sendable, Equatable {
        public var educationLevels: [Code]
        public var foreignLanguages: [Code]
        public var candidateCharacteristics: [Code]
        public var enrolmentCategories: [Code]
        public var occupationCategories: [Code]
        /// Bonus-point policies (照顾加分) a point may record claims under; each with its points.
        public var bonusPolicies: [Code]?
        /// Exemption categories (免试入学) a candidate may apply under; each with the evidence it needs.
        public var exemptionCategories: [Code]?
    }

    public struct Pledge: Codable, Sendable, Equatable {
        public var version: String
        public var text: String
    }

    /// The examination itself (SPEC §5), which the arrangement reads: the exam groups (level +
    /// subject category, each with its papers) and how rooms are filled.
    public struct Examination: Codable, Sendable, Equatable {
        public var groups: [ExamGroup]
        public var seatsPerRoom: Int
        /// The last, partial rooms of a district combine several groups (the Hunan practice).
        public var mixRemainders: Bool
        /// 考生须知, printed on every admission ticket.
        public var candidateRules: String?
    }

    /// 考试科类组: the 2-digit code in the admission-ticket number, the level and subject
    /// category whose candidates sit it, and its papers in timetable order.
    public struct ExamGroup: Codable, Sendable, Equatable {
        public var code: String
        public var name: String
        public var level: StudyLevel
        public var subjectCategory: String
        public var papers: [Paper]
    }

    public struct Paper: Codable, Sendable, Equatable {
        public var name: String
        public var starts: Date
        public var ends: Date
    }

    public var year: Int
    public var calendar: Calendar
    /// The registration and examination fee (报名考试考务费), in fen.
    public var feeFen: Int
    public var codeLists: CodeLists
    public var pledge: Pledge
    /// Set by the province before the numbering run; absent until then.
    public var examination: Examination?
}

extension ExamYearDocument {
    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()

    /// Problems that make the document unusable, each naming its field.
    func problems() -> [(field: String, message: String)] {
        var problems: [(String, String)] = []
        if !(2000...2100).contains(year) { problems.append(("year", "年度无效")) }
        if calendar.registrationCloses <= calendar.registrationOpens {
            problems.append(("calendar.registrationCloses", "报名截止时间须晚于开始时间"))
        }
        if let until = calendar.localOnlyUntil, until < calendar.registrationOpens || until > calendar.registrationCloses {
            problems.append(("calendar.localOnlyUntil", "本地户籍阶段须在报名时间之内"))
        }
        problems += calendar.cityOpeningProblems()
        if calendar.paymentDeadline < calendar.registrationOpens { problems.append(("calendar.paymentDeadline", "缴费截止时间须晚于报名开始")) }
        if CalendarDate.parse(calendar.ageReferenceDate) == nil { problems.append(("calendar.ageReferenceDate", "日期格式应为 YYYY-MM-DD")) }
        if !(10...30).contains(calendar.lowAgeBelow) { problems.append(("calendar.lowAgeBelow", "低龄年龄无效")) }
        if feeFen <= 0 || feeFen > 100_000 { problems.append(("feeFen", "费用无效")) }
        if pledge.version.isEmpty || pledge.version.count > 20 { problems.append(("pledge.version", "承诺书版本无效")) }
        if pledge.text.count < 10 { problems.append(("pledge.text", "承诺书内容过短")) }
        let lists: [(String, [Code])] = [
            ("educationLevels", codeLists.educationLevels), ("foreignLanguages", codeLists.foreignLanguages),
            ("candidateCharacteristics", codeLists.candidateCharacteristics), ("enrolmentCategories", codeLists.enrolmentCategories),
            ("occupationCategories", codeLists.occupationCategories),
        ]
        for (name, codes) in lists {
            if codes.isEmpty { problems.append(("codeLists.\(name)", "不能为空")) }
            if Set(codes.map(\.code)).count != codes.count { problems.append(("codeLists.\(name)", "代码重复")) }
            if codes.contains(where: { $0.code.isEmpty || $0.code.count > 10 || $0.name.isEmpty }) {
                problems.append(("codeLists.\(name)", "代码或名称无效"))
            }
        }
        if let bonus = codeLists.bonusPolicies {
            if Set(bonus.map(\.code)).count != bonus.count { problems.append(("codeLists.bonusPolicies", "代码重复")) }
            if bonus.contains(where: { $0.code.isEmpty || $0.code.count > 10 || $0.name.isEmpty || !(1...50).contains($0.points ?? 0) }) {
                problems.append(("codeLists.bonusPolicies", "每项加分政策须有代码、名称和 1-50 的分值"))
            }
            if bonus.contains(where: { $0.automatic.map { !(14...100).contains($0.minimumAge) || CalendarDate.parse($0.on) == nil } ?? false }) {
                problems.append(("codeLists.bonusPolicies", "自动加分规则须有 14-100 的年龄和 YYYY-MM-DD 日期"))
            }
        }
        if let exemption = codeLists.exemptionCategories {
            if Set(exemption.map(\.code)).count != exemption.count { problems.append(("codeLists.exemptionCategories", "代码重复")) }
            if exemption.contains(where: { $0.code.isEmpty || $0.code.count > 10 || $0.name.isEmpty || ($0.evidence ?? "").isEmpty }) {
                problems.append(("codeLists.exemptionCategories", "每个免试类别须有代码、名称和所需证明材料"))
            }
        }
        if let examination { problems += examination.problems() }
        if codeLists.educationLevels.contains(where: { ($0.levels ?? []).isEmpty }) {
            problems.append(("codeLists.educationLevels", "每个文化程度须列出可报考的层次"))
        }
        return problems
    }
}

extension ExamYearDocument.Calendar {
    /// When registration opens for candidates registering in `city`: its group's moment, or the window's.
    public func registrationOpens(forCity city: String) -> Date {
        cityOpenings?.first { $0.cities.contains(city) }?.opens ?? registrationOpens
    }

    func cityOpeningProblems() -> [(field: String, message: String)] {
        guard let groups = cityOpenings else { return [] }
        var problems: [(String, String)] = []
        let cities = groups.flatMap(\.cities)
        if groups.contains(where: { $0.cities.isEmpty }) { problems.append(("calendar.cityOpenings", "每个时段须列出市州代码")) }
        if cities.contains(where: { $0.count != 6 || !$0.allSatisfy { $0.isASCII && $0.isNumber } }) {
            problems.append(("calendar.cityOpenings", "市州代码应为 6 位数字"))
        }
        if Set(cities).count != cities.count { problems.append(("calendar.cityOpenings", "同一市州只能属于一个时段")) }
        if groups.contains(where: { $0.opens < registrationOpens || $0.opens >= registrationCloses }) {
            problems.append(("calendar.cityOpenings", "分市开放时间须在报名时间之内"))
        }
        return problems
    }
}

extension ExamYearDocument.Examination {
    func problems() -> [(field: String, message: String)] {
        var problems: [(String, String)] = []
        if !(1...99).contains(seatsPerRoom) { problems.append(("examination.seatsPerRoom", "每考场座位数应为 1-99")) }
        if groups.isEmpty { problems.append(("examination.groups", "不能为空")) }
        if let rules = candidateRules, rules.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty || rules.count > 1500 {
            problems.append(("examination.candidateRules", "考生须知应为 1-1500 字"))
        }
        if Set(groups.map(\.code)).count != groups.count { problems.append(("examination.groups", "科类组代码重复")) }
        if Set(groups.map { "\($0.level.rawValue)/\($0.subjectCategory)" }).count != groups.count {
            problems.append(("examination.groups", "同一层次和科类只能属于一个科类组"))
        }
        for group in groups {
            if group.code.count != 2 || !group.code.allSatisfy({ $0.isASCII && $0.isNumber }) {
                problems.append(("examination.groups", "科类组代码应为 2 位数字：\(group.code.prefix(10))"))
            }
            if group.name.isEmpty || group.name.count > 30 || group.subjectCategory.isEmpty || group.subjectCategory.count > 20 {
                problems.append(("examination.groups", "科类组 \(group.code.prefix(10)) 的名称或科类无效"))
            }
            if group.papers.isEmpty || group.papers.contains(where: { $0.name.isEmpty || $0.name.count > 30 || $0.ends <= $0.starts }) {
                problems.append(("examination.groups", "科类组 \(group.code.prefix(10)) 须列出考试科目及其起止时间"))
            }
        }
        return problems
    }
}
