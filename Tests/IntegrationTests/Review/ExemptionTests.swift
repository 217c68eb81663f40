import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
import Testing

/// Exemption from the exam (免试入学), the candidate's side: an application under one of the
/// year's categories after submitting, changeable until the city has looked at it.
@Suite struct ExemptionTests {
    @Test func aSubmittedCandidateAppliesAndChangesTheApplicationUntilTheCityReviewsIt() async throws {
        try await AccessFixture.with { fixture in
            try await ExamYearSetup.shared.ensure(fixture)
            var stranger = Browser()
            #expect(try await fixture.send(.put, "/exemption", ["categoryCode": "E01", "reason": "全国劳动模范"], as: &stranger).status == .unauthorized)
            #expect(try await fixture.send(.get, "/exemption", as: &stranger).status == .unauthorized)

            var (candidate, browser) = try await fixture.signedInCandidate(county: "430102")
            let early = try await fixture.send(.put, "/exemption", ["categoryCode": "E01", "reason": "全国劳动模范"], as: &browser)
            #expect(early.status == .conflict && early.errorCode == "exemption.not_submitted", "\(early.text)")
            #expect(try await fixture.send(.get, "/exemption", as: &browser).errorCode == "exemption.none")

            _ = try await fixture.send(.post, "/registration/pledge", ["version": "\(ExamYearSetup.year)-1"], as: &browser)
            #expect(try await fixture.send(.post, "/registration/submit", ExamYearSetup.form(for: candidate), as: &browser).status == .ok)

            // Bad input: each problem named by its field; nothing stored.
            let unknown = try await fixture.send(.put, "/exemption", ["categoryCode": "E99", "reason": "x"], as: &browser)
            #expect(unknown.status == .unprocessableContent && Set(unknown.errorFields) == ["categoryCode", "reason"], "\(unknown.text)")
            let tooLong = try await fixture.send(.put, "/exemption", ["categoryCode": "E01", "reason": String(repeating: "长", count: 301)], as: &browser)
            #expect(tooLong.errorFields == ["reason"])
            #expect(try await fixture.send(.put, "/exemption", ["categoryCode": 1], as: &browser).status.code / 100 == 4)
            #expect(try await fixture.send(.get, "/exemption", as: &browser).status == .notFound)

            let applied = try await fixture.send(.put, "/exemption", ["categoryCode": "E01", "reason": "2019年获全国劳动模范称号"], as: &browser)
            #expect(applied.status == .ok, "\(applied.text)")
            #expect(applied.json["status"] as? String == "applied" && applied.json["categoryName"] as? String == "全国劳动模范")
            let changed = try await fixture.send(.put, "/exemption", ["categoryCode": "E01", "reason": "2020年获全国劳动模范称号"], as: &browser)
            #expect(changed.json["reason"] as? String == "2020年获全国劳动模范称号")
            let shown = try await fixture.send(.get, "/exemption", as: &browser)
            #expect(shown.json["reason"] as? String == "2020年获全国劳动模范称号" && shown.json["status"] as? String == "applied")

            // Once the city has looked at it, the application stays as reviewed.
            try await fixture.postgres.query(
                "UPDATE exemption_application SET status = 'city_refused', city_reason = '证书不符' WHERE candidate_id = \(candidate.id)",
                logger: TestStack.logger)
            let late = try await fixture.send(.put, "/exemption", ["categoryCode": "E01", "reason": "再次申请"], as: &browser)
            #expect(late.status == .conflict && late.errorCode == "exemption.under_review", "\(late.text)")
            let reviewed = try await fixture.send(.get, "/exemption", as: &browser)
            #expect(reviewed.json["status"] as? String == "city_refused" && reviewed.json["refusalReason"] as? String == "证书不符")
            #expect(reviewed.json["reason"] as? String == "2020年获全国劳动模范称号")
        }
    }
}

/// The staff's side: the city's first review after the payment deadline, its list, the
/// province's decision; an approved candidate is `exempt` and not on the roster numbering reads.
@Suite struct ExemptionReviewTests {
    @Test func theCityReviewsAfterTheDeadlineAndTheProvinceDecidesWhatItPassed() async throws {
        try await ReviewStack.with { fixture in
            var (province, city, otherCity, county, _) = try await ReviewStack.staff(fixture)
            var applicants: [(Candidate, Browser)] = []
            for reason in ["2019年获全国劳动模范称号", "2020年获全国劳动模范称号", "2021年获全国劳动模范称号"] {
                var (candidate, browser) = try await ReviewStack.paidCandidate(fixture, province: &province)
                let applied = try await fixture.send(.put, "/exemption", ["categoryCode": "E01", "reason": reason], as: &browser)
                #expect(applied.status == .ok, "\(applied.text)")
                applicants.append((candidate, browser))
            }
            let (passed, refusedByProvince, refusedByCity) = (applicants[0].0.id, applicants[1].0.id, applicants[2].0.id)
            var (approvedBrowser, refusedBrowser) = (applicants[0].1, applicants[1].1)

            // Before the payment deadline the city waits.
            let early = try await fixture.send(.post, "/staff/exemptions/\(passed)/city-review", ["decision": "pass"], as: &city)
            #expect(early.status == .conflict && early.errorCode == "exemption.too_early", "\(early.text)")
            try await ReviewStack.setPaymentDeadline(Date() - 3_600, fixture)

            // Another city's officer, a county officer and a stranger reach nothing.
            for path in ["/staff/exemptions/\(passed)/city-review", "/staff/exemptions/\(passed)/decision"] {
                #expect(try await fixture.send(.post, path, ["decision": "pass"], as: &otherCity).status == .forbidden)
                #expect(try await fixture.send(.post, path, ["decision": "pass"], as: &county).status == .forbidden)
                var stranger = Browser()
                #expect(try await fixture.send(.post, path, ["decision": "pass"], as: &stranger).status == .unauthorized)
            }
            let othersList = try await fixture.send(.get, "/staff/exemptions", as: &otherCity)
            #expect(othersList.status == .ok && (othersList.json["cases"] as? [Any])?.isEmpty == true, "\(othersList.text)")
            #expect(try await fixture.send(.post, "/staff/exemption-lists", as: &county).status == .forbidden)

            // Bad input, named by field.
            let unknown = try await fixture.send(.post, "/staff/exemptions/\(passed)/city-review", ["decision": "maybe"], as: &city)
            #expect(unknown.status == .unprocessableContent && unknown.errorFields == ["decision"], "\(unknown.text)")
            let noReason = try await fixture.send(.post, "/staff/exemptions/\(refusedByCity)/city-review", ["decision": "refuse"], as: &city)
            #expect(noReason.errorFields == ["reason"], "\(noReason.text)")
            #expect(try await fixture.send(.post, "/staff/exemptions/\(passed)/city-review", ["reason": 1], as: &city).status.code / 100 == 4)

            // The city's first review; its list cannot go while an application waits.
            #expect(try await fixture.send(.post, "/staff/exemptions/\(passed)/city-review", ["decision": "pass"], as: &city).status == .ok)
            let waiting = try await fixture.send(.post, "/staff/exemption-lists", as: &city)
            #expect(waiting.status == .conflict && waiting.errorCode == "exemption.open_applications", "\(waiting.text)")
            #expect(try await fixture.send(.post, "/staff/exemptions/\(refusedByProvince)/city-review", ["decision": "pass"], as: &city).status == .ok)
            let refused = try await fixture.send(
                .post, "/staff/exemptions/\(refusedByCity)/city-review", ["decision": "refuse", "reason": "证书与申请类别不符"], as: &city)
            #expect(refused.json["status"] as? String == "city_refused", "\(refused.text)")
            let cityList = try await fixture.send(.get, "/staff/exemptions?status=city_passed", as: &city)
            #expect(Set(((cityList.json["cases"] as? [[String: Any]]) ?? []).compactMap { ($0["candidateID"] as? NSNumber)?.int64Value }) == [passed, refusedByProvince])

            // The province decides only what a city has submitted.
            let notYet = try await fixture.send(.post, "/staff/exemptions/\(passed)/decision", ["decision": "approve"], as: &province)
            #expect(notYet.errorCode == "exemption.list_not_submitted", "\(notYet.text)")
            let submitted = try await fixture.send(.post, "/staff/exemption-lists", as: &city)
            #expect(submitted.status == .ok && submitted.json["cityID"] as? String == "430100", "\(submitted.text)")
            let frozen = try await fixture.send(.post, "/staff/exemptions/\(refusedByCity)/city-review", ["decision": "pass"], as: &city)
            #expect(frozen.errorCode == "exemption.list_submitted", "\(frozen.text)")
            #expect(try await fixture.send(.post, "/staff/exemptions/\(passed)/decision", ["decision": "approve"], as: &city).status == .forbidden)

            let approved = try await fixture.send(.post, "/staff/exemptions/\(passed)/decision", ["decision": "approve"], as: &province)
            #expect(approved.json["status"] as? String == "approved", "\(approved.text)")
            let provinceRefused = try await fixture.send(
                .post, "/staff/exemptions/\(refusedByProvince)/decision", ["decision": "refuse", "reason": "不符合免试条件"], as: &province)
            #expect(provinceRefused.json["status"] as? String == "refused", "\(provinceRefused.text)")
            #expect(try await fixture.send(.post, "/staff/exemptions/\(refusedByCity)/decision", ["decision": "approve"], as: &province).errorCode == "exemption.not_city_passed")
            #expect(try await fixture.send(.post, "/staff/exemptions/\(passed)/decision", ["decision": "refuse", "reason": "改变主意"], as: &province).errorCode == "exemption.decided")

            // The approved candidate is exempt (a transition by the province, audited, with its
            // event) and left off the roster; the refused ones stay paid and sit the exam.
            #expect(try await PaymentTests.status(passed, fixture) == "exempt")
            #expect(try await PaymentTests.status(refusedByProvince, fixture) == "paid")
            #expect(try await PaymentTests.status(refusedByCity, fixture) == "paid")
            #expect(try await ReviewStack.count("SELECT count(*)::int FROM candidate_transition WHERE candidate_id = \(passed) AND to_status = 'exempt' AND actor_kind = 'staff'", fixture) == 1)
            #expect(try await ReviewStack.count("SELECT count(*)::int FROM audit_event WHERE target_id = \(String(passed)) AND action = 'exemption.approve'", fixture) == 1)
            #expect(try await ReviewStack.count("SELECT count(*)::int FROM audit_event WHERE target_id = \(String(refusedByCity)) AND action = 'exemption.city_refuse'", fixture) == 1)
            #expect(try await ReviewStack.count("SELECT count(*)::int FROM outbox_event WHERE aggregate_id = \("candidate-\(passed)") AND event_type = 'CandidateMoved'", fixture) == 1)
            var roster = Set<Int64>()
            for try await id in try await fixture.postgres.query(
                "SELECT candidate_id FROM exam_roster WHERE candidate_id = ANY(\([passed, refusedByProvince, refusedByCity]))", logger: TestStack.logger
            ).decode(Int64.self) { roster.insert(id) }
            #expect(roster == [refusedByProvince, refusedByCity], "the exempt candidate is not numbered")

            // Each candidate sees where their application stands.
            let status = try await fixture.send(.get, "/registration/status", as: &approvedBrowser)
            #expect(status.json["status"] as? String == "exempt", "\(status.text)")
            #expect((status.json["exemption"] as? [String: Any])?["stage"] as? String == "approved")
            let refusal = try await fixture.send(.get, "/exemption", as: &refusedBrowser)
            #expect(refusal.json["status"] as? String == "refused" && refusal.json["refusalReason"] as? String == "不符合免试条件", "\(refusal.text)")
            let refusedStatus = try await fixture.send(.get, "/registration/status", as: &refusedBrowser)
            #expect((refusedStatus.json["exemption"] as? [String: Any])?["refusalReason"] as? String == "不符合免试条件", "\(refusedStatus.text)")
        }
    }
}
