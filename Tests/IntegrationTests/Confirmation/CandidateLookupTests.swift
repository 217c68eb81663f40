import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Testing

/// The desk's lookup by ID document, and the public reads the pages need (counties, catalogue).
@Suite struct CandidateLookupTests {
    @Test func theDeskFindsItsOwnCandidateByTheDocumentInTheBodyAndAuditsIt() async throws {
        try await AccessFixture.with { fixture in
            try await ExamYearSetup.shared.ensure(fixture)
            var (_, province) = try await fixture.signedInProvinceAdministrator()
            var (candidate, operatorBrowser) = try await OnSiteRecordsTests.submittedCandidate(fixture, province: &province)
            let found = try await fixture.send(.post, "/staff/candidate-lookups", ["documentNumber": candidate.number], as: &operatorBrowser)
            #expect(found.status == .ok, "\(found.text)")
            #expect(found.json["candidateID"] as? Int == Int(candidate.id) && found.json["status"] as? String == "submitted")
            #expect(found.json["photoTaken"] as? Bool == false && found.json["documentNumberMasked"] as? String != candidate.number)
            let form = try #require(found.json["form"] as? [String: Any])
            #expect((form["basic"] as? [String: Any])?["graduatedFrom"] as? String == "长沙市第一中学")
            #expect(((form["choices"] as? [[String: Any]])?.first)?["majorCode"] as? String == "A01")
            #expect(try await ReviewStack.count(
                "SELECT count(*)::int FROM audit_event WHERE action = 'candidate.lookup' AND target_id = \(String(candidate.id)) AND outcome = 'allowed'", fixture) == 1)

            // Another point's operator: refused and audited; unknown and malformed numbers named.
            var (_, other) = try await fixture.signedInStaff(at: "TP430103L", roles: ["point_operator"], approvedBy: &province)
            #expect(try await fixture.send(.post, "/staff/candidate-lookups", ["documentNumber": candidate.number], as: &other).errorCode == "candidate.other_point")
            #expect(try await fixture.send(.post, "/staff/candidate-lookups", ["documentNumber": Candidate.randomResidentID()], as: &operatorBrowser).errorCode
                == "candidate.not_found")
            #expect(try await fixture.send(.post, "/staff/candidate-lookups", ["documentNumber": "12345"], as: &operatorBrowser).errorFields == ["documentNumber"])
            // A county officer is not a desk.
            var (_, county) = try await fixture.signedInStaff(at: "430102", roles: ["county_officer"], approvedBy: &province)
            #expect(try await fixture.send(.post, "/staff/candidate-lookups", ["documentNumber": candidate.number], as: &county).status == .forbidden)
        }
    }

    @Test func thePagesReadTheCountiesAndCodeTablesAndSearchTheCatalogueOfALevel() async throws {
        try await AccessFixture.with { fixture in
            try await ExamYearSetup.shared.ensure(fixture)
            var anyone = Browser()
            let listed = try await fixture.send(.get, "/counties", as: &anyone)
            let counties = (try? JSONSerialization.jsonObject(with: Data(listed.body.readableBytesView))) as? [[String: Any]] ?? []
            #expect(counties.contains { $0["id"] as? String == "430102" && $0["cityName"] as? String == "长沙市" }, "\(counties.prefix(3))")
            let tables = try await fixture.send(.get, "/code-tables", as: &anyone)
            #expect((tables.json["ethnicGroups"] as? [[String: Any]])?.first { $0["code"] as? String == "01" }?["name"] as? String == "汉族", "\(tables.text.prefix(200))")
            #expect((tables.json["politicalStatuses"] as? [[String: Any]])?.contains { $0["code"] as? String == "13" } == true)
            let bachelor = try await fixture.send(.get, "/catalogue?level=high_school_to_bachelor&q=汉语", as: &anyone)
            let majors = (bachelor.json["majors"] as? [[String: Any]]) ?? []
            #expect(majors.map { $0["majorCode"] as? String } == ["A01"] && bachelor.json["more"] as? Bool == false, "\(bachelor.text)")
            let byInstitution = try await fixture.send(.get, "/catalogue?level=associate_to_bachelor&q=10538", as: &anyone)
            #expect(((byInstitution.json["majors"] as? [[String: Any]]) ?? []).allSatisfy { $0["level"] as? String == "associate_to_bachelor" })
            #expect(try await fixture.send(.get, "/catalogue?q=10538", as: &anyone).errorFields == ["level"])
            #expect(try await fixture.send(.get, "/catalogue?level=high_school_to_bachelor&q=\(String(repeating: "长", count: 31).addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)!)", as: &anyone).errorFields == ["q"])
        }
    }
}
