import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
import ServiceRuntime
import Testing

/// Bonus points (照顾加分): the city accepts or rejects each claim a point recorded, enters
/// awards from a list file with a report for every row, and only the highest accepted item
/// counts; a policy with an age rule is awarded from the data.
@Suite struct BonusReviewTests {
    @Test func theCityDecidesEachClaimAndOnlyTheHighestAcceptedCounts() async throws {
        try await ReviewStack.with { fixture in
            var (_, city, otherCity, county, operatorBrowser) = try await ReviewStack.staff(fixture)
            // Born in 2004: younger than the automatic policy's 25 years.
            let (claimant, _) = try await ReviewStack.confirmed(fixture, operator: &operatorBrowser, number: Candidate.randomResidentID(area: "430102", born: 2004...2004))
            let (listed, _) = try await ReviewStack.confirmed(fixture, operator: &operatorBrowser, number: Candidate.randomResidentID(area: "430102", born: 2004...2004))
            for (policy, evidence) in [("B01", "归侨证明"), ("B02", "户籍证明")] {
                let claimed = try await fixture.send(
                    .post, "/staff/candidates/\(claimant.id)/bonus-claims", ["policyCode": policy, "evidence": evidence], as: &operatorBrowser)
                #expect(claimed.status == .created, "\(claimed.text)")
            }
            let path = "/staff/candidates/\(claimant.id)/bonus"

            // The city's worklist holds both open claims; another city's officer sees none of them.
            let open = try await fixture.send(.get, "/staff/bonus-claims?status=open", as: &city)
            let openClaims = ((open.json["claims"] as? [[String: Any]]) ?? []).filter { ($0["candidateID"] as? NSNumber)?.int64Value == claimant.id }
            #expect(openClaims.compactMap { $0["policyCode"] as? String } == ["B01", "B02"], "\(open.text)")
            #expect(((try await fixture.send(.get, "/staff/bonus-claims?status=open", as: &otherCity).json["claims"] as? [Any]) ?? [1]).isEmpty)
            #expect(try await fixture.send(.get, "/staff/bonus-claims?status=maybe", as: &city).errorFields == ["status"])
            #expect(try await fixture.send(.get, "/staff/bonus-claims?after=x", as: &city).errorFields == ["after"])
            #expect(try await fixture.send(.get, "/staff/bonus-claims?after=1:B%00", as: &city).errorFields == ["after"])

            // Only the candidate's city decides; the county and other cities get 403, audited.
            #expect(try await fixture.send(.put, "\(path)/B01", ["decision": "accept"], as: &otherCity).status == .forbidden)
            #expect(try await fixture.send(.get, path, as: &otherCity).status == .forbidden)
            #expect(try await fixture.send(.put, "\(path)/B01", ["decision": "accept"], as: &county).status == .forbidden)
            #expect(try await fixture.send(.post, "/staff/bonus-lists", raw: [], headers: otherCity.headers(json: false)).status != .ok)
            #expect(try await ReviewStack.count("SELECT count(*)::int FROM audit_event WHERE action = 'bonus.decide' AND outcome = 'denied' AND target_id = \(String(claimant.id))", fixture) == 2)

            // Bad input, by field; a policy without a claim; an automatic policy is not reviewed.
            let noReason = try await fixture.send(.put, "\(path)/B02", ["decision": "reject"], as: &city)
            #expect(noReason.status == .unprocessableContent && noReason.errorFields == ["reason"], "\(noReason.text)")
            #expect(try await fixture.send(.put, "\(path)/B09", ["decision": "accept"], as: &city).errorFields == ["policy"])
            #expect(try await fixture.send(.put, "\(path)/B01", ["decision": "perhaps"], as: &city).errorFields == ["decision"])
            #expect(try await fixture.send(.put, "/staff/candidates/\(listed.id)/bonus/B01", ["decision": "accept"], as: &city).errorCode == "bonus.no_claim")
            #expect(try await fixture.send(.put, "\(path)/B03", ["decision": "accept"], as: &city).errorCode == "bonus.automatic")

            // Rejected with a reason, accepted: the accepted one counts.
            let rejected = try await fixture.send(.put, "\(path)/B02", ["decision": "reject", "reason": "户籍证明不符"], as: &city)
            #expect(rejected.status == .ok, "\(rejected.text)")
            let accepted = try await fixture.send(.put, "\(path)/B01", ["decision": "accept"], as: &city)
            #expect(accepted.json["countedPolicyCode"] as? String == "B01" && accepted.int("countedPoints") == 10, "\(accepted.text)")
            // The city changes its mind on B02: now the higher of the two accepted counts, alone.
            let both = try await fixture.send(.put, "\(path)/B02", ["decision": "accept"], as: &city)
            #expect(both.json["countedPolicyCode"] as? String == "B02" && both.int("countedPoints") == 20, "\(both.text)")
            let items = (both.json["items"] as? [[String: Any]]) ?? []
            #expect(items.count == 2 && items.allSatisfy { $0["decision"] as? String == "accepted" })
            // The point sees the city's decisions on its claims.
            let pointView = try await fixture.send(.get, "/staff/candidates/\(claimant.id)/bonus-claims", as: &operatorBrowser)
            #expect(((pointView.json["claims"] as? [[String: Any]]) ?? []).compactMap { $0["status"] as? String } == ["accepted", "accepted"], "\(pointView.text)")
            #expect(try await fixture.send(.get, "/staff/bonus-claims?status=decided", as: &city).text.contains("\"candidateID\":\(claimant.id)"))

            // A list file: each row entered or refused with its reason.
            let listedNumber = try await ReviewStack.candidateNumber(listed.id, fixture)
            let claimantNumber = try await ReviewStack.candidateNumber(claimant.id, fixture)
            let csv = """
                考生号,政策代码,证明材料
                \(listedNumber),B02,少数民族聚居地区户籍证明
                \(listedNumber),B02,少数民族聚居地区户籍证明
                99999999999999,B01,归侨证明
                \(listedNumber),B77,未知政策
                \(listedNumber),B03,年满25周岁
                \(listedNumber),B01,x
                \(claimantNumber),B01,再次录入
                """
            #expect(try await ReviewStack.upload("/staff/bonus-lists", Array(csv.utf8), type: "text/csv", as: county, fixture).status == .forbidden)
            let report = try await ReviewStack.upload("/staff/bonus-lists", Array(csv.utf8), type: "text/csv", as: city, fixture)
            #expect(report.status == .ok && report.int("entered") == 1 && report.int("refused") == 6, "\(report.text)")
            let codes = ((report.json["rows"] as? [[String: Any]]) ?? []).map { ($0["line"] as? Int ?? 0, $0["code"] as? String ?? "entered") }
            #expect(codes.map(\.1) == ["entered", "row.duplicate", "candidate.unknown", "policy_code.unknown", "bonus.automatic", "evidence.length", "bonus.already_decided"], "\(report.text)")
            #expect(codes.map(\.0) == [2, 3, 4, 5, 6, 7, 8])
            let listedBonus = try await fixture.send(.get, "/staff/candidates/\(listed.id)/bonus", as: &city)
            #expect(listedBonus.json["countedPolicyCode"] as? String == "B02", "\(listedBonus.text)")
            #expect(((listedBonus.json["items"] as? [[String: Any]]) ?? []).first?["source"] as? String == "city_list")
            let missing = try await ReviewStack.upload("/staff/bonus-lists", Array("考生号,证明材料\n1,2\n".utf8), type: "text/csv", as: city, fixture)
            #expect(missing.status == .unprocessableContent && missing.errorFields == ["file"], "\(missing.text)")
            let garbage = try await ReviewStack.upload("/staff/bonus-lists", [0x50, 0x4B, 0x03, 0x04, 0, 1], type: "application/octet-stream", as: city, fixture)
            #expect(garbage.status == .unprocessableContent && garbage.errorFields == ["file"], "\(garbage.text)")
            // The same list as XLSX enters nothing new: every row already has its decision.
            let xlsx = try TableDownload(columns: ["考生号", "政策代码", "证明材料"], rows: [[listedNumber, "B02", "户籍证明"]]).xlsx()
            let again = try await ReviewStack.upload("/staff/bonus-lists", xlsx, type: "application/octet-stream", as: city, fixture)
            #expect(again.int("entered") == 0 && again.text.contains("bonus.already_decided"), "\(again.text)")
        }
    }

    /// On the shared stack, with a Review worker of the test's own consuming `candidate.confirmed`:
    /// a candidate at least 25 on the year's date gets the automatic award, a younger one does not.
    @Test func theAgeRuleAwardsFromTheDataWithoutAClaim() async throws {
        let worker = try PaperFormTests.startWorker("Review")
        defer { worker.terminate() }
        try await AccessFixture.with { fixture in
            try await ExamYearSetup.shared.ensure(fixture)
            var (_, province) = try await fixture.signedInProvinceAdministrator()
            var (_, city) = try await fixture.signedInStaff(at: "430100", roles: ["city_officer"], approvedBy: &province)
            var (_, operatorBrowser) = try await fixture.signedInStaff(at: "TP430102A", roles: ["point_operator"], approvedBy: &province)
            let (older, _) = try await ReviewStack.confirmed(fixture, operator: &operatorBrowser, number: Candidate.randomResidentID(area: "430102", born: 1975...1990))
            let (younger, _) = try await ReviewStack.confirmed(fixture, operator: &operatorBrowser, number: Candidate.randomResidentID(area: "430102", born: 2004...2004))
            let awarded = try await eventually(within: .seconds(30)) {
                let bonus = try await fixture.send(.get, "/staff/candidates/\(older.id)/bonus", as: &city)
                return bonus.json["countedPolicyCode"] as? String == "B03"
            }
            #expect(awarded, "the worker awards B03 to the older candidate")
            let item = ((try await fixture.send(.get, "/staff/candidates/\(older.id)/bonus", as: &city).json["items"] as? [[String: Any]]) ?? []).first
            #expect(item?["source"] as? String == "automatic" && item?["decision"] as? String == "accepted" && item?["points"] as? Int == 5)
            // The younger's confirmation was consumed too, and gave nothing.
            let consumed = try await eventually(within: .seconds(30)) {
                try await ReviewStack.count(
                    """
                    SELECT count(*)::int FROM processed_message p JOIN outbox_event o ON o.message_id = p.message_id
                    WHERE p.consumer = 'review.automatic-bonus' AND o.aggregate_id = \("candidate-\(younger.id)") AND o.event_type = 'CandidateConfirmed'
                    """, fixture) == 1
            }
            #expect(consumed)
            let youngerBonus = try await fixture.send(.get, "/staff/candidates/\(younger.id)/bonus", as: &city)
            #expect(youngerBonus.status == .ok && ((youngerBonus.json["items"] as? [Any]) ?? [1]).isEmpty, "\(youngerBonus.text)")
        }
    }
}
