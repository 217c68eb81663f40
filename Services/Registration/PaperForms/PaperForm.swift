import Access
import Crypto
import Foundation
import ServiceRuntime

/// One paper draft form (信息采集草表) as a row of a batch file: the account's fields and the
/// registration form, read from named columns. A column may be named by its field
/// (`documentNumber`, `choice1.majorCode`) or by its caption on the paper form (证件号码).
struct PaperForm {
    let rowID: String
    let documentType: IdentityDocumentType
    let documentNumber: String
    let name: String
    let phone: String
    let countyID: String
    let form: RegistrationForm
    /// SHA-256 of every cell as read: an identical row in a later upload changes nothing.
    let contentHash: [UInt8]

    /// Field name and paper caption of every column, in the paper form's order.
    static let columns: [(field: String, caption: String)] = [
        ("rowID", "草表编号"), ("documentType", "证件类型"), ("documentNumber", "证件号码"), ("name", "姓名"), ("phone", "联系电话"),
        ("countyID", "报名县区代码"), ("gender", "性别"), ("ethnicGroup", "民族"), ("birthDate", "出生日期"),
        ("politicalStatus", "政治面貌"), ("educationLevel", "文化程度"), ("foreignLanguage", "外语语种"),
        ("candidateCharacteristic", "考生特征"), ("enrolmentCategory", "招生类别"), ("graduationDate", "毕业日期"),
        ("graduatedFrom", "毕业学校"), ("diplomaNumber", "毕业证书编号"), ("medicalCertificateNumber", "医学类执业资格证书编号"),
        ("occupationCategory", "职业类别"), ("workStartDate", "工作日期"), ("postalAddress", "通讯地址"), ("postcode", "邮政编码"),
        ("householdCity", "户籍所在地"), ("remarks", "备注"),
        ("choice1.level", "第一志愿层次"), ("choice1.subjectCategory", "第一志愿科类"), ("choice1.studyForm", "第一志愿学习形式"),
        ("choice1.institutionCode", "第一志愿院校代码"), ("choice1.majorCode", "第一志愿专业代码"),
        ("choice2.level", "第二志愿层次"), ("choice2.subjectCategory", "第二志愿科类"), ("choice2.studyForm", "第二志愿学习形式"),
        ("choice2.institutionCode", "第二志愿院校代码"), ("choice2.majorCode", "第二志愿专业代码"),
    ]
    static let required = ["rowID", "documentNumber", "name", "phone", "countyID"]
    private static let fieldByCaption = Dictionary(uniqueKeysWithValues: columns.map { ($0.caption, $0.field) })
    private static let fields = Set(columns.map(\.field))

    /// The file's columns by field name; problems for unknown or missing ones (the whole file is refused).
    static func fieldNames(of header: [String]) -> (names: [String: String], problems: [String]) {
        var names: [String: String] = [:]
        var problems: [String] = []
        for column in header where !column.isEmpty {
            guard let field = fields.contains(column) ? column : fieldByCaption[column] else {
                problems.append("未知的列：\(column)")
                continue
            }
            names[column] = field
        }
        let present = Set(names.values)
        for field in required where !present.contains(field) {
            problems.append("缺少必需的列：\(field)（\(columns.first { $0.field == field }!.caption)）")
        }
        return (names, problems)
    }

    /// The row as a form, or the problems that stop it from being one.
    enum Reading {
        case form(PaperForm)
        case problems([FieldError])
    }

    static func read(_ row: UploadedTable.Row, names: [String: String], point: String) -> Reading {
        var cells: [String: String] = [:]
        for (column, value) in row.cells { if let field = names[column] { cells[field] = value } }
        var problems: [FieldError] = []
        func add(_ field: String, _ code: String, _ message: String) { problems.append(FieldError(field: field, code: code, message: message)) }

        let rowID = cells["rowID"] ?? ""
        if rowID.isEmpty || rowID.count > 40 || rowID.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            add("rowID", "row_id.invalid", "草表编号必填，最多 40 个字符")
        }
        let documentType = documentType(cells["documentType"])
        if documentType == nil { add("documentType", "document_type.unknown", "证件类型无效") }
        let document = IdentityDocument.validate(type: documentType ?? .residentID, number: cells["documentNumber"] ?? "")
        if case .failure(let problem) = document { add("documentNumber", problem.code, problem.message) }
        let name = cells["name"] ?? ""
        if let problem = ContactRules.nameProblem(name) { add("name", problem.code, problem.message) }
        let phone = cells["phone"] ?? ""
        if let problem = ContactRules.mobileProblem(phone) { add("phone", problem.code, problem.message) }
        let countyID = cells["countyID"] ?? ""
        if countyID.isEmpty || countyID.count > 12 { add("countyID", "county.unknown", "报名县区代码无效") }

        var basic = BasicInformation()
        switch cells["gender"] {
        case nil: break
        case "male", "男": basic.gender = .male
        case "female", "女": basic.gender = .female
        default: add("basic.gender", "gender.unknown", "性别应为 男 或 女")
        }
        basic.ethnicGroup = cells["ethnicGroup"]
        basic.birthDate = cells["birthDate"]
        basic.politicalStatus = cells["politicalStatus"]
        basic.educationLevel = cells["educationLevel"]
        basic.foreignLanguage = cells["foreignLanguage"]
        basic.candidateCharacteristic = cells["candidateCharacteristic"]
        basic.enrolmentCategory = cells["enrolmentCategory"]
        basic.graduationDate = cells["graduationDate"]
        basic.graduatedFrom = cells["graduatedFrom"]
        basic.diplomaNumber = cells["diplomaNumber"]
        basic.medicalCertificateNumber = cells["medicalCertificateNumber"]
        basic.occupationCategory = cells["occupationCategory"]
        basic.workStartDate = cells["workStartDate"]
        basic.phone = phone
        basic.postalAddress = cells["postalAddress"]
        basic.postcode = cells["postcode"]
        basic.householdCity = cells["householdCity"]
        basic.remarks = cells["remarks"]

        var choices: [ApplicationChoice] = []
        for position in 1...2 {
            let prefix = "choice\(position)."
            let values = ["level", "subjectCategory", "studyForm", "institutionCode", "majorCode"].map { cells[prefix + $0] }
            guard values.contains(where: { $0 != nil }) else { continue }
            var choice = ApplicationChoice(subjectCategory: values[1], institutionCode: values[3], majorCode: values[4])
            if let text = values[0] {
                choice.level = level(text)
                if choice.level == nil { add(prefix + "level", "level.unknown", "报考层次应为 高起本、高起专 或 专升本") }
            }
            if let text = values[2] {
                choice.studyForm = studyForm(text)
                if choice.studyForm == nil { add(prefix + "studyForm", "study_form.unknown", "学习形式应为 业余、函授 或 脱产") }
            }
            choices.append(choice)
        }
        let form = RegistrationForm(basic: basic, choices: choices, confirmationPointID: point)
        problems += form.draftProblems()
        guard problems.isEmpty, let documentType, case .success(let valid) = document else { return .problems(problems) }

        var hasher = SHA256()
        for field in columns.map(\.field) {
            hasher.update(data: Data("\(field)\u{1}\(cells[field] ?? "")\u{0}".utf8))
        }
        return .form(PaperForm(
            rowID: rowID, documentType: documentType, documentNumber: valid.number, name: name, phone: phone, countyID: countyID,
            form: form, contentHash: Array(hasher.finalize())))
    }

    var document: IdentityDocument { IdentityDocument(type: documentType, number: documentNumber) }

    private static func documentType(_ text: String?) -> IdentityDocumentType? {
        switch text {
        case nil, "居民身份证": .residentID
        case "港澳台居民证件": .hongKongMacauTaiwanPermit
        case "华侨护照": .overseasChinesePassport
        case "外国人永久居留身份证": .foreignerResidencePermit
        case let code?: IdentityDocumentType(rawValue: code)
        }
    }

    private static func level(_ text: String) -> StudyLevel? {
        StudyLevel(rawValue: text) ?? StudyLevel.allCases.first { $0.chineseName == text }
    }

    private static func studyForm(_ text: String) -> StudyForm? {
        switch text {
        case "业余": .partTime
        case "函授": .correspondence
        case "脱产": .fullTime
        default: StudyForm(rawValue: text)
        }
    }
}
