import Access
import Foundation
import ServiceRuntime

/// 基本信息 (SPEC §2): codes refer to the reference tables (ethnic group, political status,
/// household city) or to the year's code lists. Every field may be missing in a draft.
public struct BasicInformation: Codable, Sendable, Equatable {
    public var gender: Gender?
    public var ethnicGroup: String?
    public var birthDate: String?
    public var politicalStatus: String?
    public var educationLevel: String?
    public var foreignLanguage: String?
    public var candidateCharacteristic: String?
    public var enrolmentCategory: String?
    public var graduationDate: String?
    public var graduatedFrom: String?
    public var diplomaNumber: String?
    public var medicalCertificateNumber: String?
    public var occupationCategory: String?
    public var workStartDate: String?
    public var phone: String?
    public var postalAddress: String?
    public var postcode: String?
    public var householdCity: String?
    public var remarks: String?

    public init() {}
}

/// 志愿: one of two choices.
public struct ApplicationChoice: Codable, Sendable, Equatable {
    public var level: StudyLevel?
    public var subjectCategory: String?
    public var studyForm: StudyForm?
    public var institutionCode: String?
    public var majorCode: String?

    public init(level: StudyLevel? = nil, subjectCategory: String? = nil, studyForm: StudyForm? = nil, institutionCode: String? = nil, majorCode: String? = nil) {
        self.level = level
        self.subjectCategory = subjectCategory
        self.studyForm = studyForm
        self.institutionCode = institutionCode
        self.majorCode = majorCode
    }
}

/// What the candidate fills in: saved as a draft at any stage, checked whole at submission.
public struct RegistrationForm: Codable, Sendable, Equatable {
    public var basic: BasicInformation
    public var choices: [ApplicationChoice]
    public var confirmationPointID: String?

    public init(basic: BasicInformation = .init(), choices: [ApplicationChoice] = [], confirmationPointID: String? = nil) {
        self.basic = basic
        self.choices = choices
        self.confirmationPointID = confirmationPointID
    }

    /// A draft may leave out whole groups.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        basic = try container.decodeIfPresent(BasicInformation.self, forKey: .basic) ?? .init()
        choices = try container.decodeIfPresent([ApplicationChoice].self, forKey: .choices) ?? []
        confirmationPointID = try container.decodeIfPresent(String.self, forKey: .confirmationPointID)
    }

    /// Limits a draft must keep even when incomplete, so that nothing absurd is stored.
    func draftProblems() -> [FieldError] {
        var problems: [FieldError] = []
        let texts: [(String, String?, Int)] = [
            ("basic.ethnicGroup", basic.ethnicGroup, 10), ("basic.birthDate", basic.birthDate, 10),
            ("basic.politicalStatus", basic.politicalStatus, 10), ("basic.educationLevel", basic.educationLevel, 10),
            ("basic.foreignLanguage", basic.foreignLanguage, 10), ("basic.candidateCharacteristic", basic.candidateCharacteristic, 10),
            ("basic.enrolmentCategory", basic.enrolmentCategory, 10), ("basic.graduationDate", basic.graduationDate, 10),
            ("basic.graduatedFrom", basic.graduatedFrom, 60), ("basic.diplomaNumber", basic.diplomaNumber, 30),
            ("basic.medicalCertificateNumber", basic.medicalCertificateNumber, 30), ("basic.occupationCategory", basic.occupationCategory, 10),
            ("basic.workStartDate", basic.workStartDate, 10), ("basic.phone", basic.phone, 11), ("basic.postalAddress", basic.postalAddress, 100),
            ("basic.postcode", basic.postcode, 6), ("basic.householdCity", basic.householdCity, 12), ("basic.remarks", basic.remarks, 200),
            ("confirmationPointID", confirmationPointID, 32),
        ]
        for (field, value, limit) in texts {
            guard let value else { continue }
            if value.count > limit { problems.append(FieldError(field: field, code: "too_long", message: "最多 \(limit) 个字符")) }
            if value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                problems.append(FieldError(field: field, code: "invalid_characters", message: "含有不允许的字符"))
            }
        }
        if choices.count > 2 { problems.append(FieldError(field: "choices", code: "choices.too_many", message: "最多填报两个志愿")) }
        for (index, choice) in choices.enumerated() {
            for (name, value) in [("subjectCategory", choice.subjectCategory), ("institutionCode", choice.institutionCode), ("majorCode", choice.majorCode)] {
                guard let value else { continue }
                if value.count > 20 {
                    problems.append(FieldError(field: "choice\(index + 1).\(name)", code: "too_long", message: "最多 20 个字符"))
                }
                if value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                    problems.append(FieldError(field: "choice\(index + 1).\(name)", code: "invalid_characters", message: "含有不允许的字符"))
                }
            }
        }
        return problems
    }
}
