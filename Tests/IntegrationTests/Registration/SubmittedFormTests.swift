import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Testing

/// What a submitted candidate's form may and may not become before the point confirms it, and how
/// the point finds and confirms a candidate who walks in.
@Suite struct SubmittedFormTests {
    /// A 专升本 first choice without the diploma number it needs (and a 高中 education level).
    static func brokenForm(for candidate: Candidate, point: String = "TP430102A") -> [String: Any] {
        var form = ExamYearSetup.form(for: candidate, point: point)
        form["choices"] = [["level": "associate_to_bachelor", "subjectCategory": "经管", "studyForm": "part_time", "institutionCode": "10538", "majorCode": "C01"]]
        return form
    }

    static func submitted(_ fixture: AccessFixture, point: String = "TP430102A", county: String = "430102") async throws -> (Candidate, Browser) {
        var (candidate, browser) = try await fixture.signedInCandidate(county: county)
        _ = try await fixture.send(.post, "/registration/pledge", ["version": "\(ExamYearSetup.year)-1"], as: &browser)
        let submitted = try await fixture.send(.post, "/registration/submit", ExamYearSetup.form(for: candidate, point: point), as: &browser)
        #expect(submitted.status == .ok, "\(submitted.text)")
        return (candidate, browser)
    }

    /// The stored (submitted) form's choices as text, and the majors the candidate's
    /// `CandidateSubmitted` events named, oldest first.
    static func stored(_ candidateID: Int64, _ fixture: AccessFixture) async throws -> (choices: String, events: [String]) {
        let choices = try await fixture.postgres.query("SELECT choices::text FROM registration WHERE candidate_id = \(candidateID)", logger: TestStack.logger)
            .decode(String.self).first { _ in true } ?? ""
        var events: [String] = []
        for try await payload in try await fixture.postgres.query(
            """
            SELECT convert_from(payload, 'UTF8') FROM outbox_event
            WHERE aggregate_id = \("candidate-\(candidateID)") AND event_type = 'CandidateSubmitted' ORDER BY id
            """, logger: TestStack.logger
        ).decode(String.self) {
            let majors = payload.matches(of: /"majorCode":"([A-Z0-9]+)"/).map { String($0.output.1) }
            events.append(majors.joined(separator: ","))
        }
        return (choices, events)
    }

    @Test func aSubmittedFormIsNeverReplacedByOneThatBreaksTheRules() async throws {
        try await AccessFixture.with { fixture in
            try await ExamYearSetup.shared.ensure(fixture)
            var (_, province) = try await fixture.signedInProvinceAdministrator()
            var (candidate, browser) = try await Self.submitted(fixture)

            // The broken form, submitted and saved: refused, kept as edits beside the submitted form.
            let refused = try await fixture.send(.post, "/registration/submit", Self.brokenForm(for: candidate), as: &browser)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.errorFields.contains("basic.diplomaNumber"), "\(refused.errorFields)")
            #expect(try await fixture.send(.put, "/registration", Self.brokenForm(for: candidate), as: &browser).status == .ok)
            let working = try await fixture.send(.get, "/registration", as: &browser)
            #expect(working.json["unsubmittedChanges"] as? Bool == true)
            #expect(working.text.contains("C01"), "the candidate sees what they typed")
            let status = try await fixture.send(.get, "/registration/status", as: &browser)
            #expect(status.json["status"] as? String == "submitted")
            #expect(status.json["unsubmittedChanges"] as? Bool == true)
            #expect((status.json["nextStep"] as? String)?.contains("上次提交的信息为准") == true, "\(status.text)")
            #expect(!((status.json["problems"] as? [Any]) ?? []).isEmpty, "the edits' problems are listed")
            let before = try await Self.stored(candidate.id, fixture)
            #expect(before.choices.contains("A01") && !before.choices.contains("C01"), "the submitted form is untouched: \(before.choices)")
            #expect(before.events == ["A01,B01"])

            // The point confirms the submitted form, which is what the event described.
            var (_, operatorA) = try await fixture.signedInStaff(at: "TP430102A", roles: ["point_operator"], approvedBy: &province)
            #expect(try await fixture.capturePhoto(of: candidate.id, as: operatorA).status == .ok)
            let confirmed = try await fixture.send(.post, "/staff/confirmations", ["documentNumber": candidate.number], as: &operatorA)
            #expect(confirmed.status == .ok, "\(confirmed.text)")
            let after = try await Self.stored(candidate.id, fixture)
            #expect(after.choices == before.choices)
            #expect(after.events == ["A01,B01"])
            let locked = try await fixture.send(.get, "/registration", as: &browser)
            #expect(locked.json["unsubmittedChanges"] as? Bool == false, "edits no longer count once confirmed")
            #expect(!locked.text.contains("C01"))
            _ = candidate
        }
    }

    @Test func aValidResubmissionReplacesTheFormAndIsDescribedByANewEvent() async throws {
        try await AccessFixture.with { fixture in
            try await ExamYearSetup.shared.ensure(fixture)
            var (candidate, browser) = try await Self.submitted(fixture)
            #expect(try await fixture.send(.put, "/registration", Self.brokenForm(for: candidate), as: &browser).status == .ok)
            var form = ExamYearSetup.form(for: candidate)
            form["choices"] = [["level": "high_school_to_associate", "subjectCategory": "文", "studyForm": "part_time", "institutionCode": "10538", "majorCode": "B01"]]
            let resubmitted = try await fixture.send(.post, "/registration/submit", form, as: &browser)
            #expect(resubmitted.status == .ok, "\(resubmitted.text)")
            let stored = try await Self.stored(candidate.id, fixture)
            #expect(stored.choices.contains("B01") && !stored.choices.contains("A01"))
            #expect(stored.events == ["A01,B01", "B01"])
            let status = try await fixture.send(.get, "/registration/status", as: &browser)
            #expect(status.json["unsubmittedChanges"] as? Bool == false)
            #expect((status.json["problems"] as? [Any])?.isEmpty == true)
            _ = candidate
        }
    }

    /// A form stored when it passed, that no longer does (here: one stored before submissions were
    /// kept apart from edits): the point is told what is wrong, and nothing is confirmed.
    @Test func confirmationChecksTheSubmittedFormAgainstTheRulesOfTheMoment() async throws {
        try await AccessFixture.with { fixture in
            try await ExamYearSetup.shared.ensure(fixture)
            var (_, province) = try await fixture.signedInProvinceAdministrator()
            var (candidate, browser) = try await Self.submitted(fixture)
            try await fixture.postgres.query(
                """
                UPDATE registration SET choices = '[{"level":"associate_to_bachelor","subjectCategory":"经管","studyForm":"part_time","institutionCode":"10538","majorCode":"C01"}]'
                WHERE candidate_id = \(candidate.id)
                """, logger: TestStack.logger)
            var (_, operatorA) = try await fixture.signedInStaff(at: "TP430102A", roles: ["point_operator"], approvedBy: &province)
            #expect(try await fixture.capturePhoto(of: candidate.id, as: operatorA).status == .ok)
            let refused = try await fixture.send(.post, "/staff/confirmations", ["documentNumber": candidate.number], as: &operatorA)
            #expect(refused.status == .conflict)
            #expect(refused.errorCode == "confirmation.form_invalid")
            #expect(refused.errorFields.contains("basic.diplomaNumber"), "\(refused.text)")
            #expect(try await PaymentTests.status(candidate.id, fixture) == "submitted")
            #expect(try await PaymentTests.count("SELECT count(*)::int FROM candidate_confirmation WHERE candidate_id = $C", candidate.id, fixture) == 0)

            // Corrected and submitted again: confirmed.
            #expect(try await fixture.send(.post, "/registration/submit", ExamYearSetup.form(for: candidate), as: &browser).status == .ok)
            let confirmed = try await fixture.send(.post, "/staff/confirmations", ["documentNumber": candidate.number], as: &operatorA)
            #expect(confirmed.status == .ok, "\(confirmed.text)")
        }
    }

    /// A candidate of another county who chose this point walks in without an appointment: the
    /// operator finds them by ID number (audited), photographs and confirms them. Candidates of
    /// other points stay out of reach.
    @Test func anOperatorFindsAWalkInCandidateOfItsPointByIDNumber() async throws {
        try await AccessFixture.with { fixture in
            try await ExamYearSetup.shared.ensure(fixture)
            var (_, province) = try await fixture.signedInProvinceAdministrator()
            var (_, operatorA) = try await fixture.signedInStaff(at: "TP430102A", roles: ["point_operator"], approvedBy: &province)
            var (walkIn, walkInBrowser) = try await Self.submitted(fixture, county: "430104")
            let (elsewhere, _) = try await Self.submitted(fixture, point: "TP430103L", county: "430102")
            let (notChosen, _) = try await fixture.signedInCandidate(county: "430102")

            let found = try await fixture.send(.post, "/staff/candidates/lookup", ["documentNumber": walkIn.number], as: &operatorA)
            #expect(found.status == .ok, "\(found.text)")
            #expect(found.int("id") == walkIn.id)
            #expect(found.json["status"] as? String == "submitted")
            #expect(try await fixture.send(.get, "/staff/candidates/\(walkIn.id)", as: &operatorA).status == .ok)
            #expect(try await fixture.send(.post, "/staff/candidates/lookup", ["documentNumber": elsewhere.number], as: &operatorA).status == .forbidden)
            #expect(try await fixture.send(.post, "/staff/candidates/lookup", ["documentNumber": notChosen.number], as: &operatorA).status == .forbidden)
            #expect(try await fixture.send(.get, "/staff/candidates/\(elsewhere.id)", as: &operatorA).status == .forbidden)
            let audited = try await fixture.postgres.query(
                """
                SELECT outcome FROM audit_event WHERE action = 'candidate.lookup' AND target_id IN (\(String(walkIn.id)), \(String(elsewhere.id)))
                ORDER BY id
                """, logger: TestStack.logger)
            var outcomes: [String] = []
            for try await outcome in audited.decode(String.self) { outcomes.append(outcome) }
            #expect(outcomes == ["allowed", "denied"], "\(outcomes)")

            #expect(try await fixture.capturePhoto(of: walkIn.id, as: operatorA).status == .ok)
            let confirmed = try await fixture.send(.post, "/staff/confirmations", ["documentNumber": walkIn.number], as: &operatorA)
            #expect(confirmed.status == .ok, "\(confirmed.text)")
            // Once confirmed, booking says so rather than asking for a submission.
            let booking = try await fixture.send(.post, "/appointment", ["slotID": 1], as: &walkInBrowser)
            #expect(booking.errorCode == "appointment.not_needed", "\(booking.text)")
            _ = (walkIn, elsewhere, notChosen)
        }
    }

    /// A booked candidate who submits a new point gives back the old point's seat and is told so;
    /// unsubmitted edits change nothing.
    @Test func changingThePointReleasesTheSeatBookedAtTheOldOne() async throws {
        try await AccessFixture.with { fixture in
            try await ExamYearSetup.shared.ensure(fixture)
            var (_, province) = try await fixture.signedInProvinceAdministrator()
            let daytime = [["08:00", "20:00"]]
            let first = try await ConfirmationTests.approvedPoint(in: "430105", fixture, province: &province, hours: daytime)
            let second = try await ConfirmationTests.approvedPoint(in: "430112", fixture, province: &province, hours: daytime)
            var (_, operatorBrowser) = try await fixture.signedInStaff(at: first, roles: ["point_operator"], approvedBy: &province)
            let tomorrow = ConfirmationTests.tomorrow
            let published = try await fixture.send(
                .post, "/staff/points/\(first)/slots", ["day": tomorrow, "startsAt": "09:00", "endsAt": "10:00", "capacity": 3], as: &operatorBrowser)
            let slot = try #require((published.json["id"] as? NSNumber)?.int64Value, "\(published.text)")

            var (candidate, browser) = try await Self.submitted(fixture, point: first)
            #expect(try await fixture.send(.post, "/appointment", ["slotID": slot], as: &browser).status == .ok)
            func booked() async throws -> Int {
                try await fixture.postgres.query("SELECT coalesce((SELECT booked FROM appointment_seat WHERE slot_id = \(slot)), 0)", logger: TestStack.logger)
                    .decode(Int.self).first { _ in true } ?? -1
            }
            #expect(try await booked() == 1)

            // An edit naming the other point, not submitted: the booking stands.
            #expect(try await fixture.send(.put, "/registration", ExamYearSetup.form(for: candidate, point: second), as: &browser).status == .ok)
            #expect(try await fixture.send(.get, "/appointment", as: &browser).status == .ok)
            let status = try await fixture.send(.get, "/registration/status", as: &browser)
            #expect((status.json["confirmationPoint"] as? [String: Any])?["id"] as? String == first, "the submitted point counts")

            let moved = try await fixture.send(.post, "/registration/submit", ExamYearSetup.form(for: candidate, point: second), as: &browser)
            #expect(moved.status == .ok, "\(moved.text)")
            #expect((moved.json["notice"] as? String)?.contains("预约已取消") == true, "\(moved.text)")
            #expect(try await fixture.send(.get, "/appointment", as: &browser).errorCode == "appointment.none")
            #expect(try await booked() == 0)
            let due = try await fixture.send(.get, "/staff/points/\(first)/appointments?day=\(tomorrow)", as: &operatorBrowser)
            #expect(!due.text.contains("\"candidateID\":\(candidate.id)"), "\(due.text)")
            #expect(try await fixture.send(.post, "/appointment", ["slotID": slot], as: &browser).errorFields == ["slotID"],
                    "the old point's slots are not the new point's")
            _ = candidate
        }
    }
}
