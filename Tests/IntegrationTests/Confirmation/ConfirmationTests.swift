import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Messaging
import Testing

/// Confirmation points through their review, and on-site confirmation with candidate numbers.
@Suite struct ConfirmationTests {
    static func proposal(_ name: String) -> [String: Any] {
        ["name": name, "address": "长沙市雨花区韶山路 100 号", "contact": "李老师", "phone": "0731-85550000",
         "levels": ["high_school_to_bachelor", "high_school_to_associate"], "dailyCapacity": 300]
    }

    /// Tomorrow in China, as slots name their day.
    static var tomorrow: String {
        ISO8601DateFormatter.string(from: Date() + 86_400, timeZone: TimeZone(identifier: "Asia/Shanghai")!, formatOptions: [.withFullDate])
    }

    /// A point proposed by `county`'s officer, reviewed by the city and approved by the province.
    /// Around the clock unless `hours` says otherwise, so that operators' tests pass whenever they run.
    static func approvedPoint(
        in county: String, _ fixture: AccessFixture, province: inout Browser, hours: [[String]] = [["00:00", "24:00"]]
    ) async throws -> String {
        var (_, officer) = try await fixture.signedInStaff(at: county, roles: ["county_officer"], approvedBy: &province)
        var (_, city) = try await fixture.signedInStaff(at: "430100", roles: ["city_officer"], approvedBy: &province)
        let proposed = try await fixture.send(.post, "/staff/points", proposal("测试确认点\(county)").merging(["hours": hours]) { $1 }, as: &officer)
        #expect(proposed.status == .created, "\(proposed.text)")
        let id = try #require(proposed.json["id"] as? String)
        #expect(try await fixture.send(.post, "/staff/points/\(id)/review", ["approve": true], as: &city).status == .ok)
        let approved = try await fixture.send(.post, "/staff/points/\(id)/approve", [:] as [String: String], as: &province)
        #expect(approved.json["status"] as? String == "approved", "\(approved.text)")
        return id
    }

    @Test func aPointIsProposedReviewedAndApprovedOrReturnedWithAReason() async throws {
        try await AccessFixture.with { fixture in
            try await ExamYearSetup.shared.ensure(fixture)
            var (_, province) = try await fixture.signedInProvinceAdministrator()
            let id = try await Self.approvedPoint(in: "430104", fixture, province: &province)
            var (_, candidate) = try await fixture.signedInCandidate(county: "430102")
            let points = try await fixture.send(.get, "/confirmation-points", as: &candidate)
            #expect(points.text.contains(id), "an approved point is offered")

            var (_, officer) = try await fixture.signedInStaff(at: "430104", roles: ["county_officer"], approvedBy: &province)
            var (_, otherCity) = try await fixture.signedInStaff(at: "430200", roles: ["city_officer"], approvedBy: &province)
            let second = try await fixture.send(.post, "/staff/points", Self.proposal("待退回确认点"), as: &officer)
            let secondID = try #require(second.json["id"] as? String)
            #expect(try await fixture.send(.post, "/staff/points/\(secondID)/review", ["approve": true], as: &otherCity).status == .forbidden)
            #expect(try await fixture.send(.post, "/staff/points/\(secondID)/approve", [:] as [String: String], as: &province).status == .conflict,
                    "the province approves only what the city reviewed")
            #expect(try await fixture.send(.post, "/staff/points/\(secondID)/return", [:] as [String: String], as: &province).status == .unprocessableContent)
            let returned = try await fixture.send(.post, "/staff/points/\(secondID)/return", ["reason": "地址不详"], as: &province)
            #expect(returned.json["status"] as? String == "returned")
            #expect(returned.json["statusReason"] as? String == "地址不详")
            let offered = try await fixture.send(.get, "/confirmation-points", as: &candidate)
            #expect(!offered.text.contains(secondID), "a returned point is not offered")
            // A county officer cannot propose for another level of the tree, nor an operator at all.
            let bad = try await fixture.send(.post, "/staff/points", ["name": "x", "address": "", "contact": "", "phone": "abc", "levels": ["phd"]], as: &officer)
            #expect(Set(bad.errorFields).isSuperset(of: ["name", "address", "contact", "levels"]))
        }
    }

    /// 50 candidates confirmed at once at one point of a county no other test uses: 50 distinct,
    /// consecutive numbers of that county.
    @Test func fiftyConcurrentConfirmationsGiveFiftyConsecutiveNumbers() async throws {
        try await AccessFixture.with { fixture in
            try await ExamYearSetup.shared.ensure(fixture)
            var (_, province) = try await fixture.signedInProvinceAdministrator()
            let point = try await Self.approvedPoint(in: "430111", fixture, province: &province)
            let (_, operatorBrowser) = try await fixture.signedInStaff(at: point, roles: ["point_operator"], approvedBy: &province)

            let version = "\(ExamYearSetup.year)-1"
            let candidates = try await withThrowingTaskGroup(of: Candidate.self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        var (candidate, browser) = try await fixture.signedInCandidate(county: "430102")
                        _ = try await fixture.send(.post, "/registration/pledge", ["version": version], as: &browser)
                        let submitted = try await fixture.send(.post, "/registration/submit", ExamYearSetup.form(for: candidate, point: point), as: &browser)
                        #expect(submitted.status == .ok, "\(submitted.text)")
                        return candidate
                    }
                }
                return try await group.reduce(into: [Candidate]()) { $0.append($1) }
            }
            for candidate in candidates {
                #expect(try await fixture.capturePhoto(of: candidate.id, as: operatorBrowser).status == .ok)
            }
            let numbers = try await withThrowingTaskGroup(of: String?.self) { group in
                for candidate in candidates {
                    group.addTask {
                        var browser = operatorBrowser
                        let confirmed = try await fixture.send(.post, "/staff/confirmations", ["documentNumber": candidate.number], as: &browser)
                        #expect(confirmed.status == .ok, "\(confirmed.text)")
                        return confirmed.json["candidateNumber"] as? String
                    }
                }
                return try await group.reduce(into: [String]()) { if let number = $1 { $0.append(number) } }
            }
            #expect(numbers.count == 50)
            #expect(Set(numbers).count == 50)
            let yy = String(format: "%02d", ExamYearSetup.year % 100)
            #expect(numbers.allSatisfy { $0.count == 14 && $0.hasPrefix(yy + "430111") })
            let sequences = numbers.compactMap { Int($0.suffix(6)) }.sorted()
            #expect(sequences.last! - sequences.first! == 49, "consecutive: \(sequences.first!)...\(sequences.last!)")
        }
    }

    @Test func anOperatorConfirmsOnlyItsOwnPointsSubmittedCandidatesAndConfirmationLocksTheRecord() async throws {
        try await AccessFixture.with { fixture in
            try await ExamYearSetup.shared.ensure(fixture)
            var (_, province) = try await fixture.signedInProvinceAdministrator()
            var (_, operatorA) = try await fixture.signedInStaff(at: "TP430102A", roles: ["point_operator"], approvedBy: &province)
            var (_, countyOfficer) = try await fixture.signedInStaff(at: "430102", roles: ["county_officer"], approvedBy: &province)
            let version = "\(ExamYearSetup.year)-1"

            // Submitted, choosing another point: 403.
            var (elsewhere, elsewhereBrowser) = try await fixture.signedInCandidate(county: "430102")
            _ = try await fixture.send(.post, "/registration/pledge", ["version": version], as: &elsewhereBrowser)
            #expect(try await fixture.send(.post, "/registration/submit", ExamYearSetup.form(for: elsewhere, point: "TP430103L"), as: &elsewhereBrowser).status == .ok)
            let other = try await fixture.send(.post, "/staff/confirmations", ["documentNumber": elsewhere.number], as: &operatorA)
            #expect(other.status == .forbidden)
            #expect(other.errorCode == "candidate.other_point")

            // Not yet submitted: 409.
            let (notYet, _) = try await fixture.signedInCandidate(county: "430102")
            #expect(try await fixture.send(.post, "/staff/confirmations", ["documentNumber": notYet.number], as: &operatorA).status == .conflict)
            // Unknown number: 404; not an operator: 403.
            #expect(try await fixture.send(.post, "/staff/confirmations", ["documentNumber": Candidate.randomResidentID()], as: &operatorA).status == .notFound)
            #expect(try await fixture.send(.post, "/staff/confirmations", ["documentNumber": notYet.number], as: &countyOfficer).status == .forbidden)

            // Submitted at this point: confirmed once, then locked.
            var (mine, browser) = try await fixture.signedInCandidate(county: "430102")
            _ = try await fixture.send(.post, "/registration/pledge", ["version": version], as: &browser)
            #expect(try await fixture.send(.post, "/registration/submit", ExamYearSetup.form(for: mine), as: &browser).status == .ok)
            let noPhoto = try await fixture.send(.post, "/staff/confirmations", ["documentNumber": mine.number], as: &operatorA)
            #expect(noPhoto.errorCode == "confirmation.photo_missing", "\(noPhoto.text)")
            #expect(try await fixture.capturePhoto(of: elsewhere.id, as: operatorA).status == .forbidden, "another point's candidate")
            #expect(try await fixture.capturePhoto(of: mine.id, as: operatorA).status == .ok)
            let confirmed = try await fixture.send(.post, "/staff/confirmations", ["documentNumber": mine.number], as: &operatorA)
            #expect(confirmed.status == .ok, "\(confirmed.text)")
            let number = try #require(confirmed.json["candidateNumber"] as? String)
            let again = try await fixture.send(.post, "/staff/confirmations", ["documentNumber": mine.number], as: &operatorA)
            #expect(again.status == .conflict)
            let message = (again.json["error"] as? [String: Any])?["message"] as? String ?? ""
            #expect(message.contains(number))
            let edit = try await fixture.send(.put, "/registration", ExamYearSetup.form(for: mine), as: &browser)
            #expect(edit.errorCode == "registration.locked")
            let status = try await fixture.send(.get, "/registration/status", as: &browser)
            #expect(status.json["status"] as? String == "confirmed")
            let retake = try await fixture.capturePhoto(of: mine.id, as: operatorA)
            #expect(retake.errorCode == "candidate.locked", "the photo is locked with the record")
            _ = elsewhere
        }
    }

    /// 100 candidates book one 10-seat slot at once: exactly 10 get a seat.
    @Test func aTenSeatSlotTakesExactlyTenOfAHundredConcurrentBookings() async throws {
        try await AccessFixture.with { fixture in
            try await ExamYearSetup.shared.ensure(fixture)
            var (_, province) = try await fixture.signedInProvinceAdministrator()
            let point = try await Self.approvedPoint(in: "430121", fixture, province: &province, hours: [["08:00", "12:00"], ["15:00", "18:00"]])
            var (_, operatorBrowser) = try await fixture.signedInStaff(at: point, roles: ["point_operator"], approvedBy: &province)
            let tomorrow = ConfirmationTests.tomorrow

            let outside = try await fixture.send(.post, "/staff/points/\(point)/slots", ["day": tomorrow, "startsAt": "12:30", "endsAt": "13:30", "capacity": 10], as: &operatorBrowser)
            #expect(outside.status == .unprocessableContent)
            #expect(outside.errorFields == ["startsAt"])
            let past = try await fixture.send(.post, "/staff/points/\(point)/slots", ["day": "2020-01-01", "startsAt": "08:00", "endsAt": "09:00", "capacity": 10], as: &operatorBrowser)
            #expect(past.errorFields == ["day"])
            let published = try await fixture.send(.post, "/staff/points/\(point)/slots", ["day": tomorrow, "startsAt": "08:00", "endsAt": "09:00", "capacity": 10], as: &operatorBrowser)
            #expect(published.status == .created, "\(published.text)")
            let slot = try #require((published.json["id"] as? NSNumber)?.int64Value)

            var (notSubmitted, waiting) = try await fixture.signedInCandidate(county: "430102")
            #expect(try await fixture.send(.post, "/appointment", ["slotID": slot], as: &waiting).errorCode == "appointment.not_submitted")
            _ = notSubmitted

            let version = "\(ExamYearSetup.year)-1"
            let browsers = try await withThrowingTaskGroup(of: Browser.self) { group in
                for _ in 0..<100 {
                    group.addTask {
                        var (candidate, browser) = try await fixture.signedInCandidate(county: "430102")
                        _ = try await fixture.send(.post, "/registration/pledge", ["version": version], as: &browser)
                        _ = try await fixture.send(.post, "/registration/submit", ExamYearSetup.form(for: candidate, point: point), as: &browser)
                        return browser
                    }
                }
                return try await group.reduce(into: [Browser]()) { $0.append($1) }
            }
            #expect(browsers.count == 100)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for browser in browsers {
                    group.addTask {
                        var browser = browser
                        return try await fixture.send(.post, "/appointment", ["slotID": slot], as: &browser).status.code
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 200 }.count == 10)
            #expect(statuses.filter { $0 == 409 }.count == 90)
            let due = try await fixture.send(.get, "/staff/points/\(point)/appointments?day=\(tomorrow)", as: &operatorBrowser)
            let list = (try JSONSerialization.jsonObject(with: Data(due.body.readableBytesView)) as? [[String: Any]]) ?? []
            #expect(list.count == 10)
            #expect(list.allSatisfy { ($0["documentNumber"] as? String)?.contains("********") == true })
            let slotID = slot
            let seats = try await fixture.postgres.query("SELECT booked FROM appointment_seat WHERE slot_id = \(slotID)", logger: TestStack.logger)
                .decode(Int.self).first { _ in true }
            #expect(seats == 10)
            // Whatever the code does, the database takes no seat beyond the capacity.
            await #expect(throws: (any Error).self) {
                try await fixture.postgres.query("UPDATE appointment_seat SET booked = booked + 1 WHERE slot_id = \(slotID)", logger: TestStack.logger)
            }
        }
    }

    /// A point whose hours end at midnight publishes slots in its evening: a slot's times are read
    /// by the same rule as the hours (24:00 is the end of the day, never a start).
    @Test func aPointOpenUntilMidnightPublishesEveningSlots() async throws {
        try await AccessFixture.with { fixture in
            try await ExamYearSetup.shared.ensure(fixture)
            var (_, province) = try await fixture.signedInProvinceAdministrator()
            let point = try await Self.approvedPoint(in: "430181", fixture, province: &province, hours: [["08:00", "12:00"], ["14:00", "24:00"]])
            var (_, operatorBrowser) = try await fixture.signedInStaff(at: point, roles: ["point_operator"], approvedBy: &province)
            let tomorrow = ConfirmationTests.tomorrow
            func publish(_ start: String, _ end: String) async throws -> TestResponse {
                try await fixture.send(.post, "/staff/points/\(point)/slots", ["day": tomorrow, "startsAt": start, "endsAt": end, "capacity": 5], as: &operatorBrowser)
            }
            for (start, end) in [("09:00", "10:00"), ("15:00", "16:00"), ("22:00", "23:59"), ("23:00", "24:00")] {
                let published = try await publish(start, end)
                #expect(published.status == .created, "\(start)-\(end): \(published.text)")
                #expect(published.json["endsAt"] as? String == end)
            }
            #expect(try await publish("12:30", "13:30").errorCode == "invalid_input")
            #expect(try await publish("12:30", "13:30").errorFields == ["startsAt"], "between the two intervals")
            #expect(try await publish("11:00", "15:00").errorFields == ["startsAt"], "across the break")
            #expect(try await publish("24:00", "24:00").errorFields == ["startsAt"])
            #expect(try await publish("23:30", "24:30").errorFields == ["endsAt"])
            #expect(try await publish("7:00", "08:00").errorFields == ["startsAt"])
        }
    }

    /// The flow form asked for at the point: recorded, its event relayed into the documents
    /// queue, where it waits (visibly) until the document service renders it.
    @Test func aFlowFormRequestWaitsInTheDocumentsQueue() async throws {
        try await AccessFixture.with { fixture in
            try await ExamYearSetup.shared.ensure(fixture)
            var (_, province) = try await fixture.signedInProvinceAdministrator()
            var (_, operatorA) = try await fixture.signedInStaff(at: "TP430102A", roles: ["point_operator"], approvedBy: &province)
            var (_, otherOperator) = try await fixture.signedInStaff(at: "TP430103L", roles: ["point_operator"], approvedBy: &province)
            var (candidate, browser) = try await fixture.signedInCandidate(county: "430102")
            // Before a point is chosen, the point's operator is not the one to ask; the county's officer
            // is, and is told the candidate has not submitted.
            #expect(try await fixture.send(.post, "/staff/candidates/\(candidate.id)/flow-form", as: &operatorA).status == .forbidden)
            var (_, county) = try await fixture.signedInStaff(at: "430102", roles: ["county_officer"], approvedBy: &province)
            #expect(try await fixture.send(.post, "/staff/candidates/\(candidate.id)/flow-form", as: &county).errorCode == "flow_form.not_submitted")
            _ = try await fixture.send(.post, "/registration/pledge", ["version": "\(ExamYearSetup.year)-1"], as: &browser)
            #expect(try await fixture.send(.post, "/registration/submit", ExamYearSetup.form(for: candidate), as: &browser).status == .ok)
            #expect(try await fixture.send(.post, "/staff/candidates/\(candidate.id)/flow-form", as: &otherOperator).status == .forbidden)

            let asked = try await fixture.send(.post, "/staff/candidates/\(candidate.id)/flow-form", as: &operatorA)
            #expect(asked.status == .accepted, "\(asked.text)")
            let requestID = try #require(asked.json["requestID"] as? String)
            let status = try await fixture.send(.get, "/staff/document-requests/\(requestID)", as: &operatorA)
            #expect(status.json["status"] as? String == "queued")

            // A relay (what every worker process runs) publishes it into documents.requests.
            let amqp = AMQPClient(settings: TestStack.amqp, topology: Topology(workQueues: SystemQueues.all), logger: TestStack.logger)
            let relay = OutboxRelay(postgres: fixture.postgres, publisher: amqp, logger: TestStack.logger)
            let relayed = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await amqp.run() }
                group.addTask { try await relay.run() }
                defer { group.cancelAll() }
                return try await eventually(within: .seconds(20)) {
                    let rows = try await fixture.postgres.query(
                        "SELECT published_at IS NOT NULL FROM outbox_event WHERE event_type = 'DocumentRequested' AND convert_from(payload, 'UTF8') LIKE \("%" + requestID + "%")",
                        logger: TestStack.logger)
                    for try await published in rows.decode(Bool.self) { return published }
                    return false
                }
            }
            #expect(relayed)
            let inspector = AMQPClient(settings: TestStack.amqp, topology: Topology(workQueues: SystemQueues.all), logger: TestStack.logger)
            let depth = try await inspector.inspect(queue: SystemQueues.documentRequests.name)
            #expect(depth.messages >= 1, "the request waits in its queue")
            await inspector.close()
        }
    }
}
