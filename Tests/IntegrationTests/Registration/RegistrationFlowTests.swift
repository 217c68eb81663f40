import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Testing

/// A candidate's registration from an empty draft to `submitted`, against real PostgreSQL and Redis.
@Suite struct RegistrationFlowTests {
    @Test func aDraftIsKeptThePledgeSignedAndTheSubmissionRecordedWithItsEvent() async throws {
        try await AccessFixture.with { fixture in
            try await ExamYearSetup.shared.ensure(fixture)
            var (candidate, browser) = try await fixture.signedInCandidate(county: "430102")

            // An incomplete draft is kept.
            let draft = try await fixture.send(.put, "/registration", ["basic": ["phone": "13712345678"], "choices": [[String: String]]()], as: &browser)
            #expect(draft.status == .ok, "\(draft.text)")
            let loaded = try await fixture.send(.get, "/registration", as: &browser)
            #expect(((loaded.json["form"] as? [String: Any])?["basic"] as? [String: Any])?["phone"] as? String == "13712345678")

            // The status view says what is missing.
            let status = try await fixture.send(.get, "/registration/status", as: &browser)
            #expect(status.json["status"] as? String == "registered")
            let missing = (status.json["problems"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
            #expect(missing.contains("pledge.required") && missing.contains("required"))

            // The points offered are the city's approved ones.
            let points = try await fixture.send(.get, "/confirmation-points", as: &browser)
            let ids = (try JSONSerialization.jsonObject(with: Data(points.body.readableBytesView)) as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(Set(ExamYearSetup.points.map(\.id)).isSubset(of: Set(ids)))

            // Submitting without the pledge is refused and names it; the form is kept as a draft.
            let unsigned = try await fixture.send(.post, "/registration/submit", ExamYearSetup.form(for: candidate), as: &browser)
            #expect(unsigned.status == .unprocessableContent)
            #expect(unsigned.errorFields == ["pledge"])
            let pledge = try await fixture.send(.get, "/pledge", as: &browser)
            let version = try #require(pledge.json["version"] as? String)
            #expect(try await fixture.send(.post, "/registration/pledge", ["version": "old"], as: &browser).status == .unprocessableContent)
            #expect(try await fixture.send(.post, "/registration/pledge", ["version": version], as: &browser).status == .noContent)

            let submitted = try await fixture.send(.post, "/registration/submit", ExamYearSetup.form(for: candidate), as: &browser)
            #expect(submitted.status == .ok, "\(submitted.text)")
            let after = try await fixture.send(.get, "/registration/status", as: &browser)
            #expect(after.json["status"] as? String == "submitted")
            #expect((after.json["confirmationPoint"] as? [String: Any])?["id"] as? String == "TP430102A")
            #expect((after.json["problems"] as? [Any])?.isEmpty == true)

            // One transition, one event, no personal data in it.
            let transitions = try await fixture.postgres.query(
                "SELECT from_status, to_status FROM candidate_transition WHERE candidate_id = \(candidate.id)", logger: TestStack.logger)
            var seen: [(String, String)] = []
            for try await row in transitions.decode((String, String).self) { seen.append(row) }
            #expect(seen.count == 1 && seen.first?.0 == "registered" && seen.first?.1 == "submitted")
            let events = try await fixture.postgres.query(
                "SELECT event_type, convert_from(payload, 'UTF8') FROM outbox_event WHERE aggregate_id = \("candidate-\(candidate.id)")", logger: TestStack.logger)
            var payloads: [String] = []
            for try await (type, payload) in events.decode((String, String).self) {
                #expect(type == "CandidateSubmitted")
                payloads.append(payload)
            }
            #expect(payloads.count == 1)
            #expect(payloads.allSatisfy { !$0.contains(candidate.number) && !$0.contains("13712345678") && $0.contains("TP430102A") })

            // Before confirmation a change and a second submission are allowed.
            var changed = ExamYearSetup.form(for: candidate)
            changed["choices"] = [["level": "high_school_to_associate", "subjectCategory": "文", "studyForm": "part_time", "institutionCode": "10538", "majorCode": "B01"]]
            #expect(try await fixture.send(.post, "/registration/submit", changed, as: &browser).status == .ok)
        }
    }

    @Test func aConfirmedRegistrationRefusesEveryChangeWithTheReason() async throws {
        try await AccessFixture.with { fixture in
            try await ExamYearSetup.shared.ensure(fixture)
            var (candidate, browser) = try await fixture.signedInCandidate(county: "430102")
            let version = try #require(try await fixture.send(.get, "/pledge", as: &browser).json["version"] as? String)
            _ = try await fixture.send(.post, "/registration/pledge", ["version": version], as: &browser)
            #expect(try await fixture.send(.post, "/registration/submit", ExamYearSetup.form(for: candidate), as: &browser).status == .ok)
            // The confirmation service locks it (issue 6); here its effect, directly.
            try await fixture.postgres.query("UPDATE candidate_account SET status = 'confirmed' WHERE id = \(candidate.id)", logger: TestStack.logger)
            for (method, path, body) in [
                (HTTPRequest.Method.put, "/registration", ExamYearSetup.form(for: candidate)),
                (.post, "/registration/submit", ExamYearSetup.form(for: candidate)), (.post, "/registration/pledge", ["version": version]),
            ] {
                let refused = try await fixture.send(method, path, body, as: &browser)
                #expect(refused.status == .conflict, "\(method) \(path)")
                #expect(refused.errorCode == "registration.locked")
                let message = (refused.json["error"] as? [String: Any])?["message"] as? String ?? ""
                #expect(message.contains("不能再修改"))
            }
        }
    }

    @Test func submissionProblemsNameTheirFieldsAndKeepTheDraft() async throws {
        try await AccessFixture.with { fixture in
            try await ExamYearSetup.shared.ensure(fixture)
            var (candidate, browser) = try await fixture.signedInCandidate(county: "430102")
            var form = ExamYearSetup.form(for: candidate)
            var basic = form["basic"] as! [String: Any]
            basic["postcode"] = "4100"
            form["basic"] = basic
            form["choices"] = [
                ["level": "high_school_to_associate", "subjectCategory": "文", "studyForm": "part_time", "institutionCode": "10538", "majorCode": "B01"],
                ["level": "high_school_to_bachelor", "subjectCategory": "文", "studyForm": "part_time", "institutionCode": "10538", "majorCode": "A01"],
            ]
            form["confirmationPointID"] = "TP430103M"
            let refused = try await fixture.send(.post, "/registration/submit", form, as: &browser)
            #expect(refused.status == .unprocessableContent)
            let codes = ((refused.json["error"] as? [String: Any])?["fields"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
            #expect(codes.contains("postcode.format"))
            #expect(codes.contains("choice2.level_not_allowed"))
            let kept = try await fixture.send(.get, "/registration", as: &browser)
            #expect(((kept.json["form"] as? [String: Any])?["basic"] as? [String: Any])?["postcode"] as? String == "4100")
            // The status page says when registration opens for the candidate's city (here: with the window).
            let status = try await fixture.send(.get, "/registration/status", as: &browser)
            let year = try await fixture.send(.get, "/exam-year", as: &browser)
            #expect(status.json["registrationOpens"] as? String != nil)
            #expect(status.json["registrationOpens"] as? String == (year.json["calendar"] as? [String: Any])?["registrationOpens"] as? String)

            // A medical major without a medical point; then with one.
            var medical = ExamYearSetup.form(for: candidate)
            var medicalBasic = medical["basic"] as! [String: Any]
            medicalBasic["educationLevel"] = "2"
            medicalBasic["diplomaNumber"] = "105411201506001234"
            medical["basic"] = medicalBasic
            medical["choices"] = [["level": "associate_to_bachelor", "subjectCategory": "医学", "studyForm": "part_time", "institutionCode": "10541", "majorCode": "M01"]]
            let needsMedical = try await fixture.send(.post, "/registration/submit", medical, as: &browser)
            let medicalCodes = ((needsMedical.json["error"] as? [String: Any])?["fields"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
            #expect(medicalCodes.contains("confirmation_point.medical_required"))
        }
    }

    @Test func onlyTheProvinceLoadsTheYearAndBadFilesAreRefusedByLine() async throws {
        try await AccessFixture.with { fixture in
            try await ExamYearSetup.shared.ensure(fixture)
            var (_, province) = try await fixture.signedInProvinceAdministrator()
            var (_, county) = try await fixture.signedInStaff(at: "430102", roles: ["county_officer"], approvedBy: &province)
            #expect(try await fixture.send(.put, "/staff/exam-years/\(ExamYearSetup.year)", ExamYearSetup.document(), as: &county).status == .forbidden)

            var headers = province.headers(json: false)
            headers[.contentType] = "text/csv"
            let bad = """
                institution_code,institution_name,major_code,major_name,level,subject_category,major_category,study_forms,duration,medical
                10538,中南林业科技大学,A01,汉语言文学,high_school_to_phd,文,文史,part_time,5年,false
                10538,中南林业科技大学,A02,历史学,high_school_to_bachelor,文,文史,evenings,5年,maybe
                """
            let refused = try await fixture.send(.put, "/staff/exam-years/\(ExamYearSetup.year)/catalogue", raw: Array(bad.utf8), headers: headers)
            #expect(refused.status == .unprocessableContent)
            #expect(Set(refused.errorFields) == ["line 2.level", "line 3.study_forms", "line 3.medical"])
            // The catalogue in force is unchanged.
            let rows = try await fixture.postgres.query(
                "SELECT count(*) FROM catalogue_major WHERE year = \(ExamYearSetup.year)", logger: TestStack.logger)
            for try await count in rows.decode(Int.self) { #expect(count == 5) }

            var document = ExamYearSetup.document()
            var calendar = document["calendar"] as! [String: Any]
            calendar["registrationCloses"] = "2000-01-01T00:00:00Z"
            document["calendar"] = calendar
            let invalid = try await fixture.send(.put, "/staff/exam-years/\(ExamYearSetup.year)", document, as: &province)
            #expect(invalid.status == .unprocessableContent)
            #expect(invalid.errorFields.contains("calendar.registrationCloses"))

            // Staggered opening: a city in two groups is named by its field; the year in force is unchanged.
            var staggered = ExamYearSetup.document()
            var staggeredCalendar = staggered["calendar"] as! [String: Any]
            let opens = ISO8601DateFormatter().string(from: Date() + 3_600)
            staggeredCalendar["cityOpenings"] = [["cities": ["430100"], "opens": opens], ["cities": ["430100", "430200"], "opens": opens]]
            staggered["calendar"] = staggeredCalendar
            let twice = try await fixture.send(.put, "/staff/exam-years/\(ExamYearSetup.year)", staggered, as: &province)
            #expect(twice.status == .unprocessableContent)
            #expect(twice.errorFields == ["calendar.cityOpenings"])
            let inForce = try await fixture.send(.get, "/exam-year", as: &province)
            #expect((inForce.json["calendar"] as? [String: Any])?["cityOpenings"] == nil)
        }
    }
}
