import Foundation

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
        public var paymentDeadline: Date
        /// Ages (低龄: under `lowAgeBelow`) are counted at this date.
        public var ageReferenceDate: String
        public var lowAgeBelow: Int
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
    }

    public struct CodeLists: Codable, Sendable, Equatable {
        public var educationLevels: [Code]
        public var foreignLanguages: [Code]
        public var candidateCharacteristics: [Code]
        public var enrolmentCategories: [Code]
        public var occupationCategories: [Code]
        /// Bonus-point policies (照顾加分) a point may record claims under; each with its points.
        public var bonusPolicies: [Code]?
    }

    public struct Pledge: Codable, Sendable, Equatable {
        public var version: String
        public var text: String
    }

    public var year: Int
    public var calendar: Calendar
    /// The registration and examination fee (报名考试考务费), in fen.
    public var feeFen: Int
    public var codeLists: CodeLists
    public var pledge: Pledge
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
        if calendar.paymentDeadline < calendar.registrationOpens { problems.append(("calendar.paymentDeadline", "缴费截止时间须晚于报名开始")) }
        if RegistrationDate.parse(calendar.ageReferenceDate) == nil { problems.append(("calendar.ageReferenceDate", "日期格式应为 YYYY-MM-DD")) }
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
        }
        if codeLists.educationLevels.contains(where: { ($0.levels ?? []).isEmpty }) {
            problems.append(("codeLists.educationLevels", "每个文化程度须列出可报考的层次"))
        }
        return problems
    }
}

/// Calendar dates (birth, graduation) as `YYYY-MM-DD` in China's time zone. Checked and
/// compared by arithmetic on (year, month, day): Foundation's calendar is slow enough to show in
/// a submission's cost, and these dates need none of it.
public enum RegistrationDate {
    static let calendar: Foundation.Calendar = {
        var calendar = Foundation.Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        return calendar
    }()

    /// The date, if `text` is a real `YYYY-MM-DD` date.
    public static func parse(_ text: String) -> DateComponents? {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
        return isReal(year: year, month: month, day: day) ? DateComponents(year: year, month: month, day: day) : nil
    }

    public static func isReal(year: Int, month: Int, day: Int) -> Bool {
        guard year >= 1900, (1...12).contains(month), day >= 1 else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= lengths[month - 1]
    }

    /// The day `moment` falls on in China.
    public static func day(of moment: Date) -> DateComponents {
        calendar.dateComponents([.year, .month, .day], from: moment)
    }

    /// Whether `a` is a later day than `b`.
    public static func isAfter(_ a: DateComponents, _ b: DateComponents) -> Bool {
        (a.year ?? 0, a.month ?? 0, a.day ?? 0) > (b.year ?? 0, b.month ?? 0, b.day ?? 0)
    }

    /// Whole years between `birth` and `reference`.
    public static func age(born birth: DateComponents, at reference: DateComponents) -> Int {
        let years = (reference.year ?? 0) - (birth.year ?? 0)
        return (reference.month ?? 0, reference.day ?? 0) < (birth.month ?? 0, birth.day ?? 0) ? years - 1 : years
    }

    public static func display(_ date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%04d年%d月%d日%02d:%02d", parts.year!, parts.month!, parts.day!, parts.hour!, parts.minute!)
    }
}
