import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Testing
/// Every staff request is checked against the member's node: its own subtree only; anything else
/// is 403 and audited. Candidates see only themselves.
@Suite struct ScopeTests {
    // 长沙市 (430100) holds 芙蓉区 (430102) and 天心区 (430103); 株洲市 (430200) is elsewhere.
    @Test func aCountyOfficerOfOneCountyCannotReadOrChangeAnotherCountysCandidatesOrStaff() async throws {
        try await AccessFixture.with { fixture in
            var (_, province) = try await fixture.signedInProvinceAdministrator()
            var (officerA, countyA) = try await fixture.signedInStaff(at: "430102", roles: ["county_officer"], approvedBy: &province)
            let (officerB, _) = try await fixture.signedInStaff(at: "430103", roles: ["county_officer"], approvedBy: &province)
            let (inA, _) = try await fixture.signedInCandidate(county: "430102")
            let (inB, _) = try await fixture.signedInCandidate(county: "430103")

            // Own county: allowed.
            #expect(try await fixture.send(.get, "/staff/candidates/\(inA.id)", as: &countyA).status == .ok)
            #expect(try await fixture.send(.get, "/staff/accounts/\(officerA)", as: &countyA).status == .ok)

            // The other county: every read and write is 403.
            let denied: [(String, String, Any?)] = [
                ("GET", "/staff/candidates/\(inB.id)", nil),
                ("POST", "/staff/candidates/lookup", ["documentNumber": inB.number]),
                ("PUT", "/staff/candidates/\(inB.id)/phone", ["phone": "13500000000"]),
                ("GET", "/staff/accounts/\(officerB)", nil),
            ]
            for (method, path, body) in denied {
                let response = try await fixture.send(.init(method)!, path, body, as: &countyA)
                #expect(response.status == .forbidden, "\(method) \(path): \(response.status)")
            }
            // A pending application in county B cannot be approved from county A.
            var applicant = Browser()
            let applied = try await fixture.send(
                .post, "/staff/applications",
                ["username": "b_\(UInt32.random(in: 0...UInt32.max))", "name": "赵六", "phone": "13911112222", "password": "App1y#now", "nodeID": "430103"],
                as: &applicant)
            let applicationID = applied.json["id"] as? String ?? ""
            #expect(try await fixture.send(.post, "/staff/applications/\(applicationID)/approve", ["roles": ["county_officer"]], as: &countyA).status == .forbidden)
            #expect(try await fixture.send(.post, "/staff/applications/\(applicationID)/reject", ["reason": "不认识"], as: &countyA).status == .forbidden)
            // The list of applications shows only the subtree's.
            let list = try await fixture.send(.get, "/staff/applications", as: &countyA)
            let listed = (try JSONSerialization.jsonObject(with: Data(list.body.readableBytesView)) as? [[String: Any]]) ?? []
            #expect(!listed.contains { ($0["nodeID"] as? String) == "430103" })

            // Candidate B's phone is unchanged and the refusals are in the audit trail.
            let rows = try await fixture.postgres.query(
                """
                SELECT count(*) FROM audit_event
                WHERE actor_kind = 'staff' AND actor_id = \(officerA) AND outcome = 'denied'
                """, logger: TestStack.logger)
            for try await count in rows.decode(Int.self) { #expect(count >= 6) }
            let reads = try await fixture.postgres.query(
                "SELECT count(*) FROM audit_event WHERE actor_id = \(officerA) AND action = 'candidate.read' AND target_id = \(String(inA.id)) AND outcome = 'allowed'",
                logger: TestStack.logger)
            for try await count in reads.decode(Int.self) { #expect(count == 1) }
        }
    }

    @Test func aCityOfficerSeesItsCountiesAndAnAuditorOnlyReads() async throws {
        try await AccessFixture.with { fixture in
            var (_, province) = try await fixture.signedInProvinceAdministrator()
            var (_, city) = try await fixture.signedInStaff(at: "430100", roles: ["city_officer"], approvedBy: &province)
            var (_, auditor) = try await fixture.signedInStaff(at: "430100", roles: ["auditor"], approvedBy: &province)
            var (_, otherCity) = try await fixture.signedInStaff(at: "430200", roles: ["city_officer"], approvedBy: &province)
            let (candidate, _) = try await fixture.signedInCandidate(county: "430103")

            #expect(try await fixture.send(.get, "/staff/candidates/\(candidate.id)", as: &city).status == .ok)
            #expect(try await fixture.send(.put, "/staff/candidates/\(candidate.id)/phone", ["phone": "13500000001"], as: &city).status == .ok)
            #expect(try await fixture.send(.get, "/staff/candidates/\(candidate.id)", as: &auditor).status == .ok)
            #expect(try await fixture.send(.put, "/staff/candidates/\(candidate.id)/phone", ["phone": "13500000002"], as: &auditor).status == .forbidden)
            #expect(try await fixture.send(.get, "/staff/candidates/\(candidate.id)", as: &otherCity).status == .forbidden)

            // A city officer approves below itself, never at its own level or above.
            var applicant = Browser()
            let applied = try await fixture.send(
                .post, "/staff/applications",
                ["username": "c_\(UInt32.random(in: 0...UInt32.max))", "name": "钱七", "phone": "13911113333", "password": "App1y#now", "nodeID": "430100"],
                as: &applicant)
            let id = applied.json["id"] as? String ?? ""
            let sameLevel = try await fixture.send(.post, "/staff/applications/\(id)/approve", ["roles": ["city_officer"]], as: &city)
            #expect(sameLevel.status == .unprocessableContent)
            #expect(sameLevel.errorFields == ["nodeID"])
            let misfit = try await fixture.send(.post, "/staff/applications/\(id)/approve", ["roles": ["point_operator"], "nodeID": "430102"], as: &city)
            #expect(misfit.status == .unprocessableContent)
            #expect(misfit.errorFields == ["roles"])
            let approved = try await fixture.send(.post, "/staff/applications/\(id)/approve", ["roles": ["county_officer"], "nodeID": "430102"], as: &city)
            #expect(approved.status == .ok, "\(approved.text)")
            #expect(approved.json["nodeID"] as? String == "430102")
            let twice = try await fixture.send(.post, "/staff/applications/\(id)/reject", ["reason": "重复"], as: &city)
            #expect(twice.status == .conflict)
        }
    }

    @Test func aPendingOrRejectedApplicantCannotSignIn() async throws {
        try await AccessFixture.with { fixture in
            var (_, province) = try await fixture.signedInProvinceAdministrator()
            let username = "p_\(UInt32.random(in: 0...UInt32.max))"
            var applicant = Browser()
            let applied = try await fixture.send(
                .post, "/staff/applications",
                ["username": username, "name": "孙八", "phone": "13911114444", "password": "App1y#now", "nodeID": "430102"], as: &applicant)
            #expect(applied.status == .created)
            let pending = try await fixture.send(.post, "/staff/session", ["username": username, "password": "App1y#now"], as: &applicant)
            #expect(pending.status == .forbidden)
            #expect(pending.errorCode == "account.not_active")
            let noReason = try await fixture.send(.post, "/staff/applications/\(applied.json["id"] as? String ?? "")/reject", [:] as [String: String], as: &province)
            #expect(noReason.status == .unprocessableContent)
            let rejected = try await fixture.send(.post, "/staff/applications/\(applied.json["id"] as? String ?? "")/reject", ["reason": "非本单位人员"], as: &province)
            #expect(rejected.status == .ok)
            #expect(rejected.json["status"] as? String == "rejected")
            #expect(try await fixture.send(.post, "/staff/session", ["username": username, "password": "App1y#now"], as: &applicant).status == .forbidden)
        }
    }

    /// 1,000 candidate ids probed from one candidate's session: only its own record answers.
    @Test func aCandidateProbingOtherIdsLearnsNothing() async throws {
        try await AccessFixture.with { fixture in
            var (me, browser) = try await fixture.signedInCandidate()
            let (other, _) = try await fixture.signedInCandidate()
            var probes = Set<Int64>([other.id, me.id + 1, max(1, me.id - 1)])
            while probes.count < 1000 { probes.insert(Int64.random(in: 1...max(2 * me.id, 10_000))) }
            probes.remove(me.id)
            var leaks = 0
            for id in probes {
                let response = try await fixture.send(.get, "/candidates/\(id)", as: &browser)
                if response.status != .notFound || response.text.contains("documentNumber") { leaks += 1 }
            }
            #expect(leaks == 0)
            let own = try await fixture.send(.get, "/candidates/\(me.id)", as: &browser)
            #expect(own.status == .ok)
            let record = own.json["candidate"] as? [String: Any]
            #expect(record?["documentNumber"] as? String == String(me.number.prefix(6)) + "********" + String(me.number.suffix(4)))
        }
    }
}
