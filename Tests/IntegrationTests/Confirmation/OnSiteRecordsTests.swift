import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Testing

/// What a point records on site besides the confirmation: the photo, bonus-point claims, permit
/// holders' cases for the city, and the working hours that bound it all.
@Suite struct OnSiteRecordsTests {
    /// A submitted candidate of TP430102A and a signed-in operator of that point.
    static func submittedCandidate(_ fixture: AccessFixture, province: inout Browser) async throws -> (Candidate, Browser) {
        var (candidate, browser) = try await fixture.signedInCandidate(county: "430102")
        _ = try await fixture.send(.post, "/registration/pledge", ["version": "\(ExamYearSetup.year)-1"], as: &browser)
        let submitted = try await fixture.send(.post, "/registration/submit", ExamYearSetup.form(for: candidate), as: &browser)
        #expect(submitted.status == .ok, "\(submitted.text)")
        let (_, operatorBrowser) = try await fixture.signedInStaff(at: "TP430102A", roles: ["point_operator"], approvedBy: &province)
        return (candidate, operatorBrowser)
    }

    @Test func photosAreJudgedByTheirBytesAndStoredAsOneJPEG() async throws {
        try await AccessFixture.with { fixture in
            try await ExamYearSetup.shared.ensure(fixture)
            var (_, province) = try await fixture.signedInProvinceAdministrator()
            let (candidate, operatorBrowser) = try await Self.submittedCandidate(fixture, province: &province)

            let text = try await fixture.capturePhoto(of: candidate.id, Array("这不是图片，只是改了扩展名的文本文件 photo.jpg".utf8), as: operatorBrowser)
            #expect(text.status == .unprocessableContent)
            #expect(text.errorCode == "image.format")
            #expect(text.text.contains("JPEG、PNG 或 BMP"))

            let huge = [UInt8](repeating: 0xFF, count: 50 << 20)
            let tooMany = try await fixture.capturePhoto(of: candidate.id, huge, as: operatorBrowser)
            #expect(tooMany.status == .contentTooLarge)
            #expect(tooMany.errorCode == "image.too_many_bytes", "\(tooMany.status) \(tooMany.text.prefix(300))")

            let tiny = try await fixture.capturePhoto(of: candidate.id, TestImages.make(.png, width: 10, height: 10), as: operatorBrowser)
            #expect(tiny.status == .unprocessableContent)
            #expect(tiny.errorCode == "image.too_small")
            #expect(tiny.text.contains("10x10"))

            // A JPEG cut short: its header passes, its decoding does not.
            let truncated = Array(TestImages.make(.jpeg, width: 300, height: 400).prefix(300))
            #expect(try await fixture.capturePhoto(of: candidate.id, truncated, as: operatorBrowser).errorCode == "image.corrupt")
            // A PNG announcing 100000x100000 pixels is refused before anything is decoded.
            var bomb = TestImages.make(.png, width: 200, height: 200)
            bomb.replaceSubrange(16..<24, with: [0x00, 0x01, 0x86, 0xA0, 0x00, 0x01, 0x86, 0xA0])
            #expect(try await fixture.capturePhoto(of: candidate.id, bomb, as: operatorBrowser).errorCode == "image.too_large")

            // A BMP from the ID-card reader (102x126) is kept at its size, as JPEG.
            let reader = try await fixture.capturePhoto(of: candidate.id, TestImages.make(.bmp, width: 102, height: 126), as: operatorBrowser)
            #expect(reader.status == .ok, "\(reader.text)")
            #expect(reader.json["uploadedFormat"] as? String == "bmp")
            #expect(reader.int("width") == 102 && reader.int("height") == 126)
            // A large camera PNG is scaled to fit 480x640.
            let camera = try await fixture.capturePhoto(of: candidate.id, TestImages.make(.png, width: 1200, height: 1600), as: operatorBrowser)
            #expect(camera.int("width") == 480 && camera.int("height") == 640, "\(camera.text)")
            var reading = operatorBrowser
            let stored = try await fixture.send(.get, "/staff/candidates/\(candidate.id)/photo", as: &reading)
            #expect(stored.headers[.contentType] == "image/jpeg")
            #expect(Array(stored.body.readableBytesView.prefix(3)) == [0xFF, 0xD8, 0xFF])
            var (_, otherCounty) = try await fixture.signedInStaff(at: "430103", roles: ["county_officer"], approvedBy: &province)
            #expect(try await fixture.send(.get, "/staff/candidates/\(candidate.id)/photo", as: &otherCounty).status == .forbidden)

            // Stored sealed: the JPEG's bytes are nowhere in the table.
            let raw = try await fixture.postgres.query("SELECT jpeg_sealed FROM candidate_photo WHERE candidate_id = \(candidate.id)", logger: TestStack.logger)
                .decode(ByteBuffer.self).first { _ in true }
            #expect(raw.map { Array($0.readableBytesView.prefix(3)) } != [0xFF, 0xD8, 0xFF])
        }
    }

    @Test func bonusClaimsNeedAPolicyOfTheYearAndOnlyTheHighestCounts() async throws {
        try await AccessFixture.with { fixture in
            try await ExamYearSetup.shared.ensure(fixture)
            var (_, province) = try await fixture.signedInProvinceAdministrator()
            var (candidate, operatorBrowser) = try await Self.submittedCandidate(fixture, province: &province)
            let path = "/staff/candidates/\(candidate.id)/bonus-claims"
            let unknown = try await fixture.send(.post, path, ["policyCode": "Z99", "evidence": "x"], as: &operatorBrowser)
            #expect(Set(unknown.errorFields) == ["policyCode", "evidence"])
            #expect(try await fixture.send(.post, path, ["policyCode": "B01", "evidence": "归侨证 No.123"], as: &operatorBrowser).status == .created)
            let second = try await fixture.send(.post, path, ["policyCode": "B02", "evidence": "户籍证明"], as: &operatorBrowser)
            #expect(second.int("countedPoints") == 20)
            #expect(second.json["countedPolicyCode"] as? String == "B02")
            #expect(try await fixture.send(.post, path, ["policyCode": "B01", "evidence": "再次登记"], as: &operatorBrowser).errorCode == "bonus_claim.duplicate")
            var (_, otherOperator) = try await fixture.signedInStaff(at: "TP430103L", roles: ["point_operator"], approvedBy: &province)
            #expect(try await fixture.send(.post, path, ["policyCode": "B01", "evidence": "归侨证"], as: &otherOperator).status == .forbidden)
            _ = candidate
        }
    }

    /// A permit holder: the point checks, photographs, scans and refers; the city approves (then
    /// confirmed, with a number) or refuses (back to submitted, with the reason).
    @Test func permitHoldersAreConfirmedOnlyAfterTheirCitysReview() async throws {
        try await AccessFixture.with { fixture in
            try await ExamYearSetup.shared.ensure(fixture)
            var (_, province) = try await fixture.signedInProvinceAdministrator()
            var (_, operatorBrowser) = try await fixture.signedInStaff(at: "TP430102A", roles: ["point_operator"], approvedBy: &province)
            var (_, city) = try await fixture.signedInStaff(at: "430100", roles: ["city_officer"], approvedBy: &province)
            var (_, otherCity) = try await fixture.signedInStaff(at: "430200", roles: ["city_officer"], approvedBy: &province)

            func permitHolder() async throws -> (id: Int64, number: String) {
                let number = "H" + String(Int.random(in: 10_000_000...99_999_999))
                var browser = Browser()
                let created = try await fixture.send(
                    .post, "/accounts",
                    ["documentType": "hmt_permit", "documentNumber": number, "name": "陈家明", "phone": "13712345678", "password": "Zk8#mq2Lw", "countyID": "430102"],
                    as: &browser)
                #expect(created.status == .created, "\(created.text)")
                _ = try await fixture.send(.post, "/session", ["documentType": "hmt_permit", "documentNumber": number, "password": "Zk8#mq2Lw"], as: &browser)
                _ = try await fixture.send(.post, "/registration/pledge", ["version": "\(ExamYearSetup.year)-1"], as: &browser)
                var form = ExamYearSetup.form(for: Candidate())
                var basic = form["basic"] as! [String: Any]
                basic["birthDate"] = "1995-03-08"
                basic["gender"] = "male"
                form["basic"] = basic
                let submitted = try await fixture.send(.post, "/registration/submit", form, as: &browser)
                #expect(submitted.status == .ok, "\(submitted.text)")
                return (created.int("id"), number)
            }

            let approved = try await permitHolder()
            let confirm: [String: Any] = ["documentType": "hmt_permit", "documentNumber": approved.number, "notes": "港澳居民来往内地通行证原件已核验，复印件已留存"]
            #expect(try await fixture.capturePhoto(of: approved.id, as: operatorBrowser).status == .ok)
            #expect(try await fixture.send(.post, "/staff/confirmations", confirm, as: &operatorBrowser).errorCode == "confirmation.scan_missing")
            var scanHeaders = operatorBrowser.headers(json: false)
            scanHeaders[.contentType] = "image/png"
            let scan = try await fixture.send(.post, "/staff/candidates/\(approved.id)/document-scans", raw: TestImages.scan, headers: scanHeaders)
            #expect(scan.status == .created, "\(scan.text)")
            let noNotes = try await fixture.send(.post, "/staff/confirmations", ["documentType": "hmt_permit", "documentNumber": approved.number], as: &operatorBrowser)
            #expect(noNotes.errorFields == ["notes"])
            let referred = try await fixture.send(.post, "/staff/confirmations", confirm, as: &operatorBrowser)
            #expect(referred.status == .accepted, "\(referred.text)")
            #expect(referred.json["status"] as? String == "pending_city_review")
            #expect(referred.json["candidateNumber"] == nil)
            #expect(try await fixture.send(.post, "/staff/confirmations", confirm, as: &operatorBrowser).errorCode == "candidate.state")

            let cases = try await fixture.send(.get, "/staff/permit-reviews", as: &city)
            #expect(cases.text.contains("\"candidateID\":\(approved.id)"), "\(cases.text)")
            // The city sees who it decides on: the name and the number masked, never the whole number.
            let listed = (try JSONSerialization.jsonObject(with: Data(cases.body.readableBytesView)) as? [[String: Any]])?.first { ($0["candidateID"] as? Int).map(Int64.init) == approved.id }
            #expect(listed?["name"] as? String == "陈家明", "\(cases.text)")
            #expect((listed?["documentNumberMasked"] as? String).map { $0.contains("*") && !$0.contains(approved.number) } == true, "\(cases.text)")
            #expect(!(try await fixture.send(.get, "/staff/permit-reviews", as: &otherCity)).text.contains("\"candidateID\":\(approved.id)"))
            #expect(try await fixture.send(.post, "/staff/permit-reviews/\(approved.id)/approve", [:] as [String: String], as: &otherCity).status == .forbidden)
            #expect(try await fixture.send(.post, "/staff/permit-reviews/\(approved.id)/approve", [:] as [String: String], as: &operatorBrowser).status == .forbidden)
            let decided = try await fixture.send(.post, "/staff/permit-reviews/\(approved.id)/approve", [:] as [String: String], as: &city)
            #expect(decided.json["status"] as? String == "confirmed", "\(decided.text)")
            let number = try #require(decided.json["candidateNumber"] as? String)
            #expect(number.count == 14 && number.dropFirst(2).hasPrefix("430102"))
            #expect(try await fixture.send(.post, "/staff/permit-reviews/\(approved.id)/approve", [:] as [String: String], as: &city).status == .forbidden,
                    "a decided case is no longer open")

            let refused = try await permitHolder()
            #expect(try await fixture.capturePhoto(of: refused.id, as: operatorBrowser).status == .ok)
            _ = try await fixture.send(.post, "/staff/candidates/\(refused.id)/document-scans", raw: TestImages.scan, headers: scanHeaders)
            #expect(try await fixture.send(.post, "/staff/confirmations", ["documentType": "hmt_permit", "documentNumber": refused.number, "notes": "证件有效期存疑"], as: &operatorBrowser).status == .accepted)
            #expect(try await fixture.send(.post, "/staff/permit-reviews/\(refused.id)/refuse", [:] as [String: String], as: &city).errorFields == ["reason"])
            let refusal = try await fixture.send(.post, "/staff/permit-reviews/\(refused.id)/refuse", ["reason": "证件已过有效期"], as: &city)
            #expect(refusal.json["status"] as? String == "submitted", "\(refusal.text)")
            let status = try await fixture.postgres.query("SELECT status FROM candidate_account WHERE id = \(refused.id)", logger: TestStack.logger)
                .decode(String.self).first { _ in true }
            #expect(status == "submitted")
        }
    }

    /// Operators work within their point's hours; the county can open the point for a day.
    @Test func operatorsWorkWithinTheirPointsHoursUnlessTheCountyOpensIt() async throws {
        try await AccessFixture.with { fixture in
            try await ExamYearSetup.shared.ensure(fixture)
            var (_, province) = try await fixture.signedInProvinceAdministrator()
            var (_, officer) = try await fixture.signedInStaff(at: "430105", roles: ["county_officer"], approvedBy: &province)
            var (_, city) = try await fixture.signedInStaff(at: "430100", roles: ["city_officer"], approvedBy: &province)
            // One minute of hours, twelve hours from now: closed whenever the test runs.
            var shanghai = Calendar(identifier: .gregorian)
            shanghai.timeZone = TimeZone(identifier: "Asia/Shanghai")!
            let later = shanghai.dateComponents([.hour, .minute], from: Date() + 12 * 3600)
            let start = String(format: "%02d:%02d", later.hour!, min(later.minute!, 58))
            let end = String(format: "%02d:%02d", later.hour!, min(later.minute!, 58) + 1)
            var proposal = ConfirmationTests.proposal("夜间测试确认点")
            proposal["hours"] = [[start, end]]
            let badHours = try await fixture.send(.post, "/staff/points", proposal.merging(["hours": [["18:00", "08:00"]]]) { $1 }, as: &officer)
            #expect(badHours.errorFields == ["hours"])
            let proposed = try await fixture.send(.post, "/staff/points", proposal, as: &officer)
            let point = try #require(proposed.json["id"] as? String, "\(proposed.text)")
            _ = try await fixture.send(.post, "/staff/points/\(point)/review", ["approve": true], as: &city)
            _ = try await fixture.send(.post, "/staff/points/\(point)/approve", [:] as [String: String], as: &province)
            var (_, operatorBrowser) = try await fixture.signedInStaff(at: point, roles: ["point_operator"], approvedBy: &province)

            let closed = try await fixture.send(.post, "/staff/confirmations", ["documentNumber": Candidate.randomResidentID()], as: &operatorBrowser)
            #expect(closed.status == .forbidden)
            #expect(closed.errorCode == "point.closed")
            #expect(closed.text.contains("\(start)-\(end)"))

            let today = ISO8601DateFormatter.string(from: Date(), timeZone: shanghai.timeZone, formatOptions: [.withFullDate])
            #expect(try await fixture.send(.post, "/staff/points/\(point)/hours-overrides", ["day": "2020-01-01", "reason": "补录"], as: &officer).errorFields == ["day"])
            #expect(try await fixture.send(.post, "/staff/points/\(point)/hours-overrides", ["day": today, "reason": "补录"], as: &operatorBrowser).status == .forbidden)
            let opened = try await fixture.send(.post, "/staff/points/\(point)/hours-overrides", ["day": today, "reason": "停电后补办确认"], as: &officer)
            #expect(opened.status == .created, "\(opened.text)")
            let open = try await fixture.send(.post, "/staff/confirmations", ["documentNumber": Candidate.randomResidentID()], as: &operatorBrowser)
            #expect(open.errorCode == "candidate.not_found", "past the hours check: \(open.text)")
        }
    }
}
