import Access
import Foundation
import ServiceRuntime
import Testing

@testable import RegistrationService

/// Every rule of a submission, each with a violating and a passing case, without servers.
@Suite struct RegistrationRulesTests {
    static let now = Date()
    static let day: TimeInterval = 86_400

    static func residentID(born: String, male: Bool = true) -> String {
        let body = "430102" + born.replacingOccurrences(of: "-", with: "") + (male ? "011" : "022")
        return body + String(IdentityDocument.checkCharacter(of: body)!)
    }

    static func year(opens: Date = now - day, closes: Date = now + 30 * day, localOnlyUntil: Date? = nil, localOnlyCities: [String] = []) -> ExamYearDocument {
        ExamYearDocument(
            year: 2026,
            calendar: .init(
                registrationOpens: opens, registrationCloses: closes, localOnlyUntil: localOnlyUntil, localOnlyCities: localOnlyCities,
                paymentDeadline: closes, ageReferenceDate: "2026-10-24", lowAgeBelow: 17),
            feeFen: 14_500,
            codeLists: .init(
                educationLevels: [
                    .init(code: "1", name: "高中", levels: [.highSchoolToBachelor, .highSchoolToAssociate]),
                    .init(code: "2", name: "大学专科", levels: StudyLevel.allCases, diploma: true),
                ],
                foreignLanguages: [.init(code: "1", name: "英语")], candidateCharacteristics: [.init(code: "0", name: "无")],
                enrolmentCategories: [.init(code: "1", name: "普通")], occupationCategories: [.init(code: "1", name: "工人")]),
            pledge: .init(version: "v1", text: "本人承诺诚信考试，遵守考试纪律。"))
    }

    static func entry(_ major: String, _ level: StudyLevel, category: String = "文史", subject: String = "文", medical: Bool = false) -> CatalogueEntry {
        CatalogueEntry(
            institutionCode: "10538", institutionName: "中南林业科技大学", majorCode: major, majorName: "专业\(major)", level: level,
            subjectCategory: subject, majorCategory: category, studyForms: [.partTime, .correspondence], duration: "5年", medical: medical)
    }

    static let point = ConfirmationPointOption(
        id: "P1", name: "芙蓉区确认点", cityID: "430100", countyID: "430102", address: "长沙市芙蓉区", phone: "0731-1234567",
        levels: StudyLevel.allCases, lowAge: false, medical: false, hours: [["08:00", "12:00"]])

    static func form(born: String = "1995-05-05") -> RegistrationForm {
        var basic = BasicInformation()
        basic.gender = .male
        basic.ethnicGroup = "01"
        basic.birthDate = born
        basic.politicalStatus = "13"
        basic.educationLevel = "1"
        basic.foreignLanguage = "1"
        basic.candidateCharacteristic = "0"
        basic.enrolmentCategory = "1"
        basic.graduationDate = "2014-06-30"
        basic.graduatedFrom = "长沙市第一中学"
        basic.occupationCategory = "1"
        basic.phone = "13712345678"
        basic.postalAddress = "长沙市芙蓉区五一大道 1 号"
        basic.postcode = "410011"
        basic.householdCity = "430100"
        return RegistrationForm(
            basic: basic,
            choices: [
                ApplicationChoice(level: .highSchoolToBachelor, subjectCategory: "文", studyForm: .partTime, institutionCode: "10538", majorCode: "A1"),
                ApplicationChoice(level: .highSchoolToAssociate, subjectCategory: "文", studyForm: .partTime, institutionCode: "10538", majorCode: "B1"),
            ],
            confirmationPointID: "P1")
    }

    static func context(
        year: ExamYearDocument = year(), born: String = "1995-05-05", catalogue: [CatalogueEntry?] = [entry("A1", .highSchoolToBachelor), entry("B1", .highSchoolToAssociate)],
        point: ConfirmationPointOption? = point, pledge: String? = "v1", now: Date = now
    ) -> RuleContext {
        RuleContext(
            year: year, document: IdentityDocument(type: .residentID, number: residentID(born: born)), registeringCity: "430100",
            ethnicGroups: ["01", "02"], politicalStatuses: ["13"], cities: ["430100", "430200"], catalogue: catalogue, point: point,
            pledgeVersion: pledge, now: now)
    }

    static func codes(_ form: RegistrationForm, _ context: RuleContext) -> [String] {
        RegistrationRules.check(form, context).map(\.code)
    }

    @Test func aCompleteFormPasses() {
        #expect(RegistrationRules.check(Self.form(), Self.context()).isEmpty)
    }

    // MARK: calendar

    @Test func outsideTheWindowASubmissionIsRefusedWithTheDate() {
        let early = RegistrationRules.check(Self.form(), Self.context(year: Self.year(opens: Self.now + Self.day)))
        #expect(early.map(\.code) == ["calendar.not_open"] + [])
        #expect(early.first?.message.contains("报名将于") == true)
        #expect(Self.codes(Self.form(), Self.context(year: Self.year(opens: Self.now - 9 * Self.day, closes: Self.now - Self.day))).contains("calendar.closed"))
    }

    @Test func theLocalOnlyPhaseRefusesOtherHouseholdsUntilItEnds() {
        let phase = Self.year(localOnlyUntil: Self.now + Self.day, localOnlyCities: ["430100"])
        var outsider = Self.form()
        outsider.basic.householdCity = "430200"
        let refused = RegistrationRules.check(outsider, Self.context(year: phase))
        #expect(refused.map(\.code).contains("calendar.local_only"))
        #expect(refused.first { $0.code == "calendar.local_only" }?.message.contains("后提交") == true)
        #expect(!Self.codes(Self.form(), Self.context(year: phase)).contains("calendar.local_only"), "a local household passes")
        let after = Self.year(localOnlyUntil: Self.now - 1, localOnlyCities: ["430100"])
        #expect(!Self.codes(outsider, Self.context(year: after)).contains("calendar.local_only"), "everyone after the phase")
    }

    @Test func aStaggeredCityTakesSubmissionsOnlyFromItsOwnOpeningAndSaysWhen() {
        var staggered = Self.year()
        staggered.calendar.cityOpenings = [.init(cities: ["430100"], opens: Self.now + 3_600), .init(cities: ["430300"], opens: Self.now - 60)]
        let refused = RegistrationRules.check(Self.form(), Self.context(year: staggered))
        #expect(refused.map(\.code) == ["calendar.city_not_open"])
        #expect(refused.first?.message.contains(CalendarDate.display(Self.now + 3_600)) == true, "the candidate is told the moment")
        #expect(staggered.calendar.registrationOpens(forCity: "430100") == Self.now + 3_600)
        #expect(staggered.calendar.registrationOpens(forCity: "430200") == staggered.calendar.registrationOpens, "a city in no group opens with the window")
        #expect(RegistrationRules.check(Self.form(), Self.context(year: staggered, now: Self.now + 3_600)).isEmpty, "open from that moment")
        var before = Self.year(opens: Self.now + Self.day)
        before.calendar.cityOpenings = [.init(cities: ["430100"], opens: Self.now + 2 * Self.day)]
        #expect(Self.codes(Self.form(), Self.context(year: before)) == ["calendar.not_open"], "before the window it is the window that is named")
    }

    @Test func cityOpeningsMustBeDistinctCitiesWithinTheWindow() {
        func problems(_ groups: [ExamYearDocument.CityOpening]) -> [String] {
            var year = Self.year()
            year.calendar.cityOpenings = groups
            return year.problems().filter { $0.field == "calendar.cityOpenings" }.map(\.message)
        }
        #expect(problems([.init(cities: ["430100"], opens: Self.now), .init(cities: ["430200", "430300"], opens: Self.now + 60)]).isEmpty)
        #expect(problems([.init(cities: ["430100"], opens: Self.now), .init(cities: ["430100"], opens: Self.now + 60)]) == ["同一市州只能属于一个时段"])
        #expect(problems([.init(cities: ["430100"], opens: Self.now - 2 * Self.day)]) == ["分市开放时间须在报名时间之内"])
        #expect(problems([.init(cities: ["430100"], opens: Self.now + 30 * Self.day)]) == ["分市开放时间须在报名时间之内"], "opening as the window closes opens nothing")
        #expect(problems([.init(cities: [], opens: Self.now)]) == ["每个时段须列出市州代码"])
        #expect(problems([.init(cities: ["长沙"], opens: Self.now)]) == ["市州代码应为 6 位数字"])
    }

    // MARK: basic information

    @Test func birthDateAndGenderMustAgreeWithTheResidentID() {
        var form = Self.form()
        form.basic.birthDate = "1995-05-06"
        form.basic.gender = .female
        let codes = Self.codes(form, Self.context())
        #expect(codes.contains("birth_date.id_mismatch"))
        #expect(codes.contains("gender.id_mismatch"))
    }

    @Test(arguments: [("2019-02-30", "date.invalid"), ("2099-01-01", "date.future"), ("20190101", "date.invalid")])
    func datesAreRealAndNotInTheFuture(value: String, code: String) {
        var form = Self.form()
        form.basic.graduationDate = value
        let problems = RegistrationRules.check(form, Self.context())
        #expect(problems.contains { $0.field == "basic.graduationDate" && $0.code == code })
    }

    @Test func codesMustExistInTheirTables() {
        var form = Self.form()
        form.basic.ethnicGroup = "99"
        form.basic.politicalStatus = "77"
        form.basic.householdCity = "439900"
        form.basic.foreignLanguage = "9"
        let fields = RegistrationRules.check(form, Self.context()).map(\.field)
        #expect(Set(fields).isSuperset(of: ["basic.ethnicGroup", "basic.politicalStatus", "basic.householdCity", "basic.foreignLanguage"]))
        #expect(Self.codes(form, Self.context()).contains("ethnic_group.unknown"))
    }

    @Test func phoneAndPostcodeHaveTheirShapes() {
        var form = Self.form()
        form.basic.phone = "23712345678"
        form.basic.postcode = "41001"
        let codes = Self.codes(form, Self.context())
        #expect(codes.contains("phone.format"))
        #expect(codes.contains("postcode.format"))
    }

    @Test func missingFieldsAreNamed() {
        var form = Self.form()
        form.basic.phone = nil
        form.basic.gender = nil
        let problems = RegistrationRules.check(form, Self.context())
        #expect(problems.contains { $0.field == "basic.phone" && $0.code == "required" })
        #expect(problems.contains { $0.field == "basic.gender" && $0.code == "required" })
    }

    // MARK: choices

    @Test func aChoiceMustBeInTheCatalogueWithItsSubjectAndForm() {
        #expect(Self.codes(Self.form(), Self.context(catalogue: [nil, Self.entry("B1", .highSchoolToAssociate)])).contains("choice1.not_in_catalogue"))
        var form = Self.form()
        form.choices[0].subjectCategory = "理"
        form.choices[0].studyForm = .fullTime
        let codes = Self.codes(form, Self.context())
        #expect(codes.contains("choice1.subject_category"))
        #expect(codes.contains("choice1.study_form"))
        var none = Self.form()
        none.choices = []
        #expect(Self.codes(none, Self.context(catalogue: [])).contains("required"))
    }

    @Test func highSchoolToAssociateFirstAllowsOnlyHighSchoolToAssociateSecond() {
        var form = Self.form()
        form.choices[0].level = .highSchoolToAssociate
        form.choices[1].level = .highSchoolToBachelor
        let context = Self.context(catalogue: [Self.entry("A1", .highSchoolToAssociate), Self.entry("B1", .highSchoolToBachelor)])
        #expect(Self.codes(form, context).contains("choice2.level_not_allowed"))
        form.choices[1].level = .highSchoolToAssociate
        let passing = Self.context(catalogue: [Self.entry("A1", .highSchoolToAssociate), Self.entry("B1", .highSchoolToAssociate)])
        #expect(RegistrationRules.check(form, passing).isEmpty)
    }

    @Test func highSchoolToBachelorFirstAllowsEitherHighSchoolLevelSecond() {
        #expect(RegistrationRules.check(Self.form(), Self.context()).isEmpty)
        var form = Self.form()
        form.choices[1].level = .associateToBachelor
        #expect(Self.codes(form, Self.context(catalogue: [Self.entry("A1", .highSchoolToBachelor), Self.entry("B1", .associateToBachelor)])).contains("choice2.level_not_allowed"))
    }

    static func associateForm() -> RegistrationForm {
        var form = Self.form()
        form.basic.educationLevel = "2"
        form.basic.diplomaNumber = "105381201905001234"
        form.basic.graduationDate = "2019-06-30"
        form.choices[0].level = .associateToBachelor
        form.choices[1].level = .associateToBachelor
        return form
    }

    @Test func associateToBachelorSecondChoiceStaysInTheMajorCategory() {
        let crossing = Self.context(catalogue: [Self.entry("A1", .associateToBachelor, category: "文史"), Self.entry("B1", .associateToBachelor, category: "理工")])
        #expect(Self.codes(Self.associateForm(), crossing).contains("choice2.major_category"))
        let same = Self.context(catalogue: [Self.entry("A1", .associateToBachelor, category: "文史"), Self.entry("B1", .associateToBachelor, category: "文史")])
        #expect(RegistrationRules.check(Self.associateForm(), same).isEmpty)
    }

    @Test func associateToBachelorNeedsADiplomaBeforeTheExam() {
        let context = Self.context(catalogue: [Self.entry("A1", .associateToBachelor), Self.entry("B1", .associateToBachelor)])
        var form = Self.associateForm()
        form.basic.diplomaNumber = nil
        #expect(Self.codes(form, context).contains("diploma_number.required"))
        var late = Self.associateForm()
        late.basic.graduationDate = "2026-12-01"
        let future = Self.context(
            catalogue: [Self.entry("A1", .associateToBachelor), Self.entry("B1", .associateToBachelor)], now: Date(timeIntervalSince1970: 1_830_000_000))
        #expect(Self.codes(late, future).contains("graduation_date.after_exam"))
    }

    @Test func theEducationLevelMustAllowTheLevelAppliedFor() {
        var form = Self.associateForm()
        form.basic.educationLevel = "1"
        let context = Self.context(catalogue: [Self.entry("A1", .associateToBachelor), Self.entry("B1", .associateToBachelor)])
        #expect(Self.codes(form, context).contains("education_level.level_not_allowed"))
    }

    // MARK: confirmation point

    @Test func aPointOfTheCandidatesCityThatServesTheLevel() {
        var form = Self.form()
        form.confirmationPointID = nil
        #expect(Self.codes(form, Self.context(point: nil)).contains("required"))
        var elsewhere = Self.point
        elsewhere.cityID = "430200"
        #expect(Self.codes(Self.form(), Self.context(point: elsewhere)).contains("confirmation_point.unknown"))
        var associateOnly = Self.point
        associateOnly.levels = [.highSchoolToAssociate]
        #expect(Self.codes(Self.form(), Self.context(point: associateOnly)).contains("confirmation_point.level"))
    }

    @Test func candidatesUnder17NeedALowAgePoint() {
        let form = Self.form(born: "2010-03-01")
        #expect(Self.codes(form, Self.context(born: "2010-03-01")).contains("confirmation_point.low_age_required"))
        var lowAge = Self.point
        lowAge.lowAge = true
        #expect(!Self.codes(form, Self.context(born: "2010-03-01", point: lowAge)).contains("confirmation_point.low_age_required"))
    }

    @Test func medicalMajorsNeedAMedicalPoint() {
        let catalogue = [Self.entry("A1", .highSchoolToBachelor, medical: true), Self.entry("B1", .highSchoolToAssociate)]
        #expect(Self.codes(Self.form(), Self.context(catalogue: catalogue)).contains("confirmation_point.medical_required"))
        var medical = Self.point
        medical.medical = true
        #expect(RegistrationRules.check(Self.form(), Self.context(catalogue: catalogue, point: medical)).isEmpty)
    }

    @Test func theCurrentPledgeMustBeSigned() {
        #expect(Self.codes(Self.form(), Self.context(pledge: nil)).contains("pledge.required"))
        #expect(Self.codes(Self.form(), Self.context(pledge: "v0")).contains("pledge.required"))
    }

    @Test func everyProblemHasAChineseMessage() {
        var form = Self.form()
        form.basic = BasicInformation()
        form.choices = [ApplicationChoice(level: .highSchoolToAssociate)]
        for problem in RegistrationRules.check(form, Self.context(catalogue: [nil], point: nil, pledge: nil)) {
            #expect(!problem.message.isEmpty && problem.message.unicodeScalars.contains { $0.value >= 0x4E00 }, "\(problem.code)")
        }
    }
}
