import Access
import Foundation
import ServiceRuntime

/// Everything a submission is checked against, gathered before the rules run so that the rules
/// themselves are pure (and tested without servers).
struct RuleContext: Sendable {
    var year: ExamYearDocument
    var document: IdentityDocument
    var registeringCity: String
    var ethnicGroups: Set<String>
    var politicalStatuses: Set<String>
    var cities: Set<String>
    /// The catalogue entry of each choice (nil: not in the catalogue), by choice position.
    var catalogue: [CatalogueEntry?]
    var point: ConfirmationPointOption?
    var pledgeVersion: String?
    var now: Date
}

/// A confirmation point as the candidate chooses it.
public struct ConfirmationPointOption: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var cityID: String
    public var countyID: String
    public var address: String
    public var phone: String
    public var levels: [StudyLevel]
    public var lowAge: Bool
    public var medical: Bool
    public var hours: [[String]]
}

/// The plan's rules for a submission (SPEC §2, seed 四.2), one function per group. Each problem
/// names its field and carries a stable code and a Chinese message.
enum RegistrationRules {
    static func check(_ form: RegistrationForm, _ context: RuleContext) -> [FieldError] {
        var problems = form.draftProblems()
        problems += calendar(form, context)
        problems += basic(form.basic, context, today: CalendarDate.day(of: context.now))
        problems += choices(form, context)
        problems += confirmationPoint(form, context)
        if context.pledgeVersion != context.year.pledge.version {
            problems.append(FieldError(field: "pledge", code: "pledge.required", message: "请阅读并签署诚信考试承诺书"))
        }
        return problems
    }

    // MARK: calendar

    static func calendar(_ form: RegistrationForm, _ context: RuleContext) -> [FieldError] {
        let calendar = context.year.calendar
        if context.now < calendar.registrationOpens {
            return [FieldError(field: "calendar", code: "calendar.not_open", message: "报名将于\(CalendarDate.display(calendar.registrationOpens))开始")]
        }
        let opensHere = calendar.registrationOpens(forCity: context.registeringCity)
        if context.now < opensHere {
            return [
                FieldError(
                    field: "calendar", code: "calendar.city_not_open",
                    message: "为错峰报名，本市州网上报名将于\(CalendarDate.display(opensHere))开始，届时即可提交")
            ]
        }
        if context.now > calendar.registrationCloses {
            return [FieldError(field: "calendar", code: "calendar.closed", message: "报名已于\(CalendarDate.display(calendar.registrationCloses))截止")]
        }
        if let until = calendar.localOnlyUntil, context.now < until, calendar.localOnlyCities.contains(context.registeringCity),
            form.basic.householdCity != context.registeringCity
        {
            return [
                FieldError(
                    field: "calendar", code: "calendar.local_only",
                    message: "本市此阶段仅受理本地户籍考生报名，非本地户籍考生可于\(CalendarDate.display(until))后提交")
            ]
        }
        return []
    }

    // MARK: basic information

    static func basic(_ basic: BasicInformation, _ context: RuleContext, today: DateComponents) -> [FieldError] {
        var problems: [FieldError] = []
        func add(_ field: String, _ code: String, _ message: String) {
            problems.append(FieldError(field: "basic.\(field)", code: code, message: message))
        }
        func required(_ field: String, _ value: String?) -> String? {
            guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
                add(field, "required", "必须填写")
                return nil
            }
            return value
        }
        func code(_ field: String, _ value: String?, in allowed: Set<String>) {
            guard let value = required(field, value) else { return }
            if !allowed.contains(value) { add(field, "\(field.snakeCased).unknown", "代码不在规定的代码表中") }
        }
        func pastDate(_ field: String, _ value: String?, required isRequired: Bool) -> DateComponents? {
            guard let value = isRequired ? required(field, value) : value, !value.isEmpty else { return nil }
            guard let date = CalendarDate.parse(value) else {
                add(field, "date.invalid", "日期应为真实日期，格式 YYYY-MM-DD")
                return nil
            }
            if CalendarDate.isAfter(date, today) {
                add(field, "date.future", "日期不能晚于今天")
                return nil
            }
            return date
        }
        let lists = context.year.codeLists

        if basic.gender == nil { add("gender", "required", "必须填写") }
        let birth = pastDate("birthDate", basic.birthDate, required: true)
        if context.document.type == .residentID {
            if let birth, let fromID = IdentityDocument.birthDate(ofResidentID: context.document.number), (birth.year, birth.month, birth.day) != (fromID.year, fromID.month, fromID.day) {
                add("birthDate", "birth_date.id_mismatch", "出生日期与身份证号码不一致")
            }
            if let gender = basic.gender, gender != context.document.residentIDGender {
                add("gender", "gender.id_mismatch", "性别与身份证号码不一致")
            }
        }
        code("ethnicGroup", basic.ethnicGroup, in: context.ethnicGroups)
        code("politicalStatus", basic.politicalStatus, in: context.politicalStatuses)
        code("educationLevel", basic.educationLevel, in: Set(lists.educationLevels.map(\.code)))
        code("foreignLanguage", basic.foreignLanguage, in: Set(lists.foreignLanguages.map(\.code)))
        code("candidateCharacteristic", basic.candidateCharacteristic, in: Set(lists.candidateCharacteristics.map(\.code)))
        code("enrolmentCategory", basic.enrolmentCategory, in: Set(lists.enrolmentCategories.map(\.code)))
        code("occupationCategory", basic.occupationCategory, in: Set(lists.occupationCategories.map(\.code)))
        code("householdCity", basic.householdCity, in: context.cities)
        if let school = required("graduatedFrom", basic.graduatedFrom), school.count < 2 { add("graduatedFrom", "too_short", "至少 2 个字符") }
        let graduation = pastDate("graduationDate", basic.graduationDate, required: true)
        let work = pastDate("workStartDate", basic.workStartDate, required: false)
        if let birth, let graduation, !CalendarDate.isAfter(graduation, birth) {
            add("graduationDate", "graduation_date.before_birth", "毕业日期须晚于出生日期")
        }
        if let birth, let work, !CalendarDate.isAfter(work, birth) {
            add("workStartDate", "work_start_date.before_birth", "参加工作日期须晚于出生日期")
        }
        if let phone = required("phone", basic.phone), let problem = ContactRules.mobileProblem(phone) { add("phone", problem.code, problem.message) }
        if let address = required("postalAddress", basic.postalAddress), address.count < 5 { add("postalAddress", "too_short", "请填写完整的通讯地址") }
        if let postcode = required("postcode", basic.postcode), postcode.count != 6 || !postcode.allSatisfy({ $0.isASCII && $0.isNumber }) {
            add("postcode", "postcode.format", "邮政编码应为 6 位数字")
        }
        if let diploma = basic.diplomaNumber, !diploma.isEmpty, !diploma.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) {
            add("diplomaNumber", "diploma_number.format", "毕业证书编号只能包含字母和数字")
        }
        return problems
    }

    // MARK: choices

    static func choices(_ form: RegistrationForm, _ context: RuleContext) -> [FieldError] {
        var problems: [FieldError] = []
        func add(_ field: String, _ code: String, _ message: String) { problems.append(FieldError(field: field, code: code, message: message)) }
        guard let first = form.choices.first else {
            add("choice1", "required", "必须填报第一志愿")
            return problems
        }
        for (index, choice) in form.choices.prefix(2).enumerated() {
            let name = "choice\(index + 1)"
            let missing = [
                ("level", choice.level == nil), ("subjectCategory", (choice.subjectCategory ?? "").isEmpty), ("studyForm", choice.studyForm == nil),
                ("institutionCode", (choice.institutionCode ?? "").isEmpty), ("majorCode", (choice.majorCode ?? "").isEmpty),
            ].filter(\.1).map(\.0)
            for field in missing { add("\(name).\(field)", "required", "必须填写") }
            guard missing.isEmpty else { continue }
            guard index < context.catalogue.count, let entry = context.catalogue[index] else {
                add("\(name).majorCode", "\(name).not_in_catalogue", "招生计划中没有该学校、专业和层次的组合")
                continue
            }
            if entry.subjectCategory != choice.subjectCategory { add("\(name).subjectCategory", "\(name).subject_category", "科类与招生计划不符（应为\(entry.subjectCategory)）") }
            if let form = choice.studyForm, !entry.studyForms.contains(form) { add("\(name).studyForm", "\(name).study_form", "该专业不招收此学习形式") }
        }
        if let education = context.year.codeLists.educationLevels.first(where: { $0.code == form.basic.educationLevel }), let level = first.level {
            if !(education.levels ?? []).contains(level) {
                add("choice1.level", "education_level.level_not_allowed", "所填文化程度不能报考\(level.chineseName)")
            }
        }
        if first.level == .associateToBachelor {
            if (form.basic.diplomaNumber ?? "").isEmpty { add("basic.diplomaNumber", "diploma_number.required", "专升本考生须填写专科毕业证书编号") }
            if let graduation = form.basic.graduationDate.flatMap(CalendarDate.parse),
                let exam = CalendarDate.parse(context.year.calendar.ageReferenceDate),
                CalendarDate.isAfter(graduation, exam)
            {
                add("basic.graduationDate", "graduation_date.after_exam", "专升本考生须在考试前取得专科毕业证书")
            }
        }
        if form.choices.count == 2, let firstLevel = first.level, let secondLevel = form.choices[1].level {
            let allowed: [StudyLevel] = switch firstLevel {
            case .highSchoolToBachelor: [.highSchoolToBachelor, .highSchoolToAssociate]
            case .highSchoolToAssociate: [.highSchoolToAssociate]
            case .associateToBachelor: [.associateToBachelor]
            }
            if !allowed.contains(secondLevel) {
                add("choice2.level", "choice2.level_not_allowed", "第一志愿为\(firstLevel.chineseName)时，第二志愿只能为\(allowed.map(\.chineseName).joined(separator: "或"))")
            } else if firstLevel == .associateToBachelor, context.catalogue.count == 2, let one = context.catalogue[0], let two = context.catalogue[1],
                one.majorCategory != two.majorCategory
            {
                add("choice2.majorCode", "choice2.major_category", "专升本第二志愿不能跨专业类（第一志愿为\(one.majorCategory)）")
            }
        }
        return problems
    }

    // MARK: confirmation point

    static func confirmationPoint(_ form: RegistrationForm, _ context: RuleContext) -> [FieldError] {
        guard let id = form.confirmationPointID, !id.isEmpty else {
            return [FieldError(field: "confirmationPointID", code: "required", message: "请选择现场确认的报名确认点")]
        }
        guard let point = context.point, point.cityID == context.registeringCity else {
            return [FieldError(field: "confirmationPointID", code: "confirmation_point.unknown", message: "请在本市已批准的报名确认点中选择")]
        }
        var problems: [FieldError] = []
        if let level = form.choices.first?.level, !point.levels.contains(level) {
            problems.append(FieldError(field: "confirmationPointID", code: "confirmation_point.level", message: "该确认点不受理\(level.chineseName)报名"))
        }
        if let birth = form.basic.birthDate.flatMap(CalendarDate.parse), let reference = CalendarDate.parse(context.year.calendar.ageReferenceDate),
            CalendarDate.age(born: birth, at: reference) < context.year.calendar.lowAgeBelow, !point.lowAge
        {
            problems.append(
                FieldError(
                    field: "confirmationPointID", code: "confirmation_point.low_age_required",
                    message: "\(context.year.calendar.lowAgeBelow)周岁以下考生只能选择低龄审核点"))
        }
        if context.catalogue.contains(where: { $0?.medical == true }), !point.medical {
            problems.append(FieldError(field: "confirmationPointID", code: "confirmation_point.medical_required", message: "报考医卫类专业的考生只能选择医卫类审核点"))
        }
        return problems
    }
}
