import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import PostgresNIO
import Testing

/// The exam year the registration tests share: this year, its window open now, a small
/// catalogue, and approved confirmation points in 长沙市 (430100): an ordinary point in 芙蓉区,
/// a low-age point and a medical point in 天心区. Loaded once per test process, through the
/// province administrator's routes (the points directly: their review flow is the confirmation
/// service's).
actor ExamYearSetup {
    static let shared = ExamYearSetup()
    private var done = false

    static let year = Calendar(identifier: .gregorian).component(.year, from: Date())
    static let catalogue = """
        institution_code,institution_name,major_code,major_name,level,subject_category,major_category,study_forms,duration,medical
        10538,中南林业科技大学,A01,汉语言文学,high_school_to_bachelor,文,文史,part_time|correspondence,5年,false
        10538,中南林业科技大学,B01,会计,high_school_to_associate,文,经管,part_time,3年,false
        10538,中南林业科技大学,C01,工商管理,associate_to_bachelor,经管,经管,part_time|correspondence,2.5年,false
        10538,中南林业科技大学,C02,会计学,associate_to_bachelor,经管,经管,correspondence,2.5年,false
        10541,湖南中医药大学,M01,护理学,associate_to_bachelor,医学,医学,part_time,2.5年,true
        """

    static func document() -> [String: Any] {
        let formatter = ISO8601DateFormatter()
        let now = Date()
        return [
            "year": year,
            "calendar": [
                "registrationOpens": formatter.string(from: now - 86_400), "registrationCloses": formatter.string(from: now + 60 * 86_400),
                "localOnlyCities": [String](), "paymentDeadline": formatter.string(from: now + 60 * 86_400),
                "ageReferenceDate": "\(year)-10-24", "lowAgeBelow": 17,
            ],
            "feeFen": 14_500,
            "codeLists": [
                "educationLevels": [
                    ["code": "1", "name": "高中", "levels": ["high_school_to_bachelor", "high_school_to_associate"]],
                    ["code": "2", "name": "大学专科", "levels": ["high_school_to_bachelor", "high_school_to_associate", "associate_to_bachelor"], "diploma": true],
                ],
                "foreignLanguages": [["code": "1", "name": "英语"], ["code": "2", "name": "日语"]],
                "candidateCharacteristics": [["code": "0", "name": "无"]],
                "enrolmentCategories": [["code": "1", "name": "普通"]],
                "occupationCategories": [["code": "1", "name": "工人"], ["code": "2", "name": "职员"]],
                "bonusPolicies": [
                    ["code": "B01", "name": "归侨、侨眷", "points": 10], ["code": "B02", "name": "少数民族聚居地区", "points": 20],
                    ["code": "B03", "name": "年满25周岁", "points": 5, "automatic": ["minimumAge": 25, "on": "\(year)-10-24"]],
                ],
                "exemptionCategories": [["code": "E01", "name": "全国劳动模范", "evidence": "劳动模范证书"]],
            ],
            "pledge": ["version": "\(year)-1", "text": "本人已认真阅读报考须知，承诺所填信息真实准确，遵守考试纪律，诚信应考。"],
        ]
    }

    /// Test points work around the clock, so that tests pass whenever they run; the hours rule
    /// has its own test.
    static let allDay = #"[["00:00","24:00"]]"#

    static let points: [(id: String, county: String, lowAge: Bool, medical: Bool)] = [
        ("TP430102A", "430102", false, false), ("TP430103L", "430103", true, false), ("TP430103M", "430103", false, true),
    ]

    func ensure(_ fixture: AccessFixture) async throws {
        guard !done else { return }
        var (_, province) = try await fixture.signedInProvinceAdministrator()
        let saved = try await fixture.send(.put, "/staff/exam-years/\(Self.year)", Self.document(), as: &province)
        #expect(saved.status == .ok, "\(saved.text)")
        var headers = province.headers(json: false)
        headers[.contentType] = "text/csv"
        let catalogue = try await fixture.send(.put, "/staff/exam-years/\(Self.year)/catalogue", raw: Array(Self.catalogue.utf8), headers: headers)
        #expect(catalogue.status == .ok, "\(catalogue.text)")
        for point in Self.points {
            try await fixture.postgres.query(
                """
                INSERT INTO organisation_node (id, kind, name, parent_id, path)
                SELECT \(point.id), 'confirmation_point', '测试确认点' || \(point.id), id, path || \(point.id)::ltree FROM organisation_node WHERE id = \(point.county)
                ON CONFLICT (id) DO NOTHING
                """, logger: TestStack.logger)
            try await fixture.postgres.query(
                """
                INSERT INTO confirmation_point (node_id, county_id, address, contact, phone, levels, low_age, medical, status, hours)
                VALUES (\(point.id), \(point.county), '长沙市测试路 1 号', '张老师', '0731-88880000',
                        ARRAY['high_school_to_bachelor', 'high_school_to_associate', 'associate_to_bachelor'], \(point.lowAge), \(point.medical), 'approved',
                        \(Self.allDay)::jsonb)
                ON CONFLICT (node_id) DO UPDATE SET hours = excluded.hours
                """, logger: TestStack.logger)
        }
        done = true
    }

    /// A complete form for `candidate` (born as its ID number says).
    static func form(for candidate: Candidate, point: String = "TP430102A") -> [String: Any] {
        let number = candidate.number
        let birth = "\(number.dropFirst(6).prefix(4))-\(number.dropFirst(10).prefix(2))-\(number.dropFirst(12).prefix(2))"
        let male = Int(String(Array(number)[16]))! % 2 == 1
        return [
            "basic": [
                "gender": male ? "male" : "female", "ethnicGroup": "01", "birthDate": birth, "politicalStatus": "13", "educationLevel": "1",
                "foreignLanguage": "1", "candidateCharacteristic": "0", "enrolmentCategory": "1", "graduationDate": "2015-06-30",
                "graduatedFrom": "长沙市第一中学", "occupationCategory": "2", "phone": "13712345678", "postalAddress": "长沙市芙蓉区五一大道 1 号",
                "postcode": "410011", "householdCity": "430100",
            ],
            "choices": [
                ["level": "high_school_to_bachelor", "subjectCategory": "文", "studyForm": "part_time", "institutionCode": "10538", "majorCode": "A01"],
                ["level": "high_school_to_associate", "subjectCategory": "文", "studyForm": "part_time", "institutionCode": "10538", "majorCode": "B01"],
            ],
            "confirmationPointID": point,
        ]
    }
}
