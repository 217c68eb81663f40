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
