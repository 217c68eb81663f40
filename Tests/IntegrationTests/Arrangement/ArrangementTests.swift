import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
import Testing

/// Exam arrangement (issue 21): sites through the shared proposal review, the cities' scope
/// rules, the numbering run on a real worker over RabbitMQ (refusals, rooms, digest, the
/// auditor's recomputation, a kill mid-run), allocation, publication and corrections.
extension WorkerQueueSuites {
@Suite(.serialized) struct ArrangementTests {
    @Test func sitesGoThroughTheReviewConfirmationPointsUseAndScopeRulesAreTheCitys() async throws {
        try await ReviewStack.with { fixture in
            var staff = try await ArrangementStack.staff(fixture)
            try await ArrangementStack.setExamination(fixture, &staff)
            try await ArrangementStack.setDistricts(fixture, &staff)
            // Only the province sets districts; a district's office lies in its city.
            #expect(try await fixture.send(.put, "/staff/exam-districts/4303", ["name": "某考区", "cityID": "430100"], as: &staff.city).status == .forbidden)
            let outside = try await fixture.send(.put, "/staff/exam-districts/4303", ["name": "某考区", "cityID": "430100", "officeID": "430202"], as: &staff.province)
            #expect(outside.status == .unprocessableContent && outside.errorFields == ["officeID"], "\(outside.text)")
            #expect(try await fixture.send(.put, "/staff/exam-districts/43A3", ["name": "某考区", "cityID": "430100"], as: &staff.province).status == .unprocessableContent)

            let body: [String: Any] = ["name": "长沙市第一中学", "districtCode": "4301", "address": "长沙市开福区测试路 1 号", "contact": "刘老师", "phone": "0731-84440000", "rooms": 10]
            #expect(try await fixture.send(.post, "/staff/exam-sites", body, as: &staff.city).status == .forbidden, "a county proposes")
            var bad = body
            bad["rooms"] = 0
            bad["accessibleRooms"] = 3
            let refused = try await fixture.send(.post, "/staff/exam-sites", bad, as: &staff.county)
            #expect(Set(refused.errorFields) == ["rooms", "accessibleRooms"], "\(refused.text)")
            var elsewhere = body
            elsewhere["districtCode"] = "9999"
            #expect(try await fixture.send(.post, "/staff/exam-sites", elsewhere, as: &staff.county).errorFields == ["districtCode"])

            let proposed = try await fixture.send(.post, "/staff/exam-sites", body, as: &staff.county)
            #expect(proposed.status == .created && proposed.json["status"] as? String == "proposed", "\(proposed.text)")
            let site = try #require(proposed.json["id"] as? String)
            #expect(try await fixture.send(.post, "/staff/exam-sites/\(site)/review", ["approve": true], as: &staff.otherCity).status == .forbidden)
            #expect(try await fixture.send(.post, "/staff/exam-sites/\(site)/approve", [String: String](), as: &staff.county).status == .forbidden)
            #expect(try await fixture.send(.post, "/staff/exam-sites/\(site)/approve", [String: String](), as: &staff.province).errorCode == "exam_site.state")
            #expect(try await fixture.send(.post, "/staff/exam-sites/\(site)/review", ["approve": false], as: &staff.city).errorFields == ["reason"])
            #expect(try await fixture.send(.post, "/staff/exam-sites/\(site)/review", ["approve": true], as: &staff.city).json["status"] as? String == "city_reviewed")
            let returned = try await fixture.send(.post, "/staff/exam-sites/\(site)/return", ["reason": "考场数与实际不符"], as: &staff.province)
            #expect(returned.json["status"] as? String == "returned" && returned.json["statusReason"] as? String == "考场数与实际不符", "\(returned.text)")
            let approved = try await ArrangementStack.approvedSite(fixture, &staff, district: "4301", rooms: 10)
            let listed = try await fixture.send(.get, "/staff/exam-sites", as: &staff.city)
            #expect(listed.text.contains(approved) && listed.text.contains(site))
            #expect(!(try await fixture.send(.get, "/staff/exam-sites", as: &staff.otherCity)).text.contains(approved))
            // The same workflow, the same audit trail as a confirmation point's.
            let actions = try await fixture.postgres.query(
                "SELECT action FROM audit_event WHERE target_kind = 'exam_site' AND target_id = \(site) AND outcome = 'allowed' ORDER BY id", logger: TestStack.logger
            ).decode(String.self).reduce(into: [String]()) { $0.append($1) }
            #expect(actions == ["exam_site.propose", "exam_site.city_reviewed", "exam_site.returned"], "\(actions)")

            // Scope rules: the city's, for its counties and districts and the year's groups.
            let rule = ["countyID": "430102", "examGroup": "01", "districtCode": "4301"]
            #expect(try await fixture.send(.put, "/staff/scope-rules", rule, as: &staff.county).status == .forbidden)
            #expect(try await fixture.send(.put, "/staff/scope-rules", rule, as: &staff.otherCity).errorFields == ["countyID"])
            #expect(try await fixture.send(.put, "/staff/scope-rules", ["countyID": "430102", "examGroup": "09", "districtCode": "4301"], as: &staff.city).errorFields == ["examGroup"])
            #expect(try await fixture.send(.put, "/staff/scope-rules", ["countyID": "430102", "examGroup": "01", "districtCode": "4399"], as: &staff.city).errorFields == ["districtCode"])
            #expect(try await fixture.send(.put, "/staff/scope-rules", rule, as: &staff.city).status == .ok)
            #expect(try await fixture.send(.put, "/staff/scope-rules", ["countyID": "430102", "examGroup": "all", "districtCode": "4302"], as: &staff.city).status == .ok)
            #expect(try await fixture.send(.get, "/staff/scope-rules", as: &staff.county).text.contains(#""examGroup":"all""#))
            #expect(try await fixture.send(.delete, "/staff/scope-rules/430102/all", as: &staff.city).status == .noContent)
            #expect(!(try await fixture.send(.get, "/staff/scope-rules", as: &staff.city)).text.contains(#""examGroup":"all""#))
        }
    }

    @Test func aRunListsEveryCandidateNoRuleOrTwoRulesCoverAndEveryDistrictShortOfSeats() async throws {
        try await ReviewStack.with { fixture, settings in
            var staff = try await ArrangementStack.staff(fixture)
            try await ArrangementStack.setExamination(fixture, &staff)
            try await ArrangementStack.setDistricts(fixture, &staff)
            _ = try await ArrangementStack.approvedSite(fixture, &staff, district: "4301", rooms: 2)
            try await ArrangementStack.setScope(fixture, &staff, county: "430102", group: "all", district: "4301")
            try await ArrangementStack.setScope(fixture, &staff, county: "430102", group: "02", district: "4302")
            _ = try await ArrangementStack.candidates(70, county: "430102", fixture)  // 01: 4301 has 60 seats
            _ = try await ArrangementStack.candidates(5, county: "430102", level: "high_school_to_associate", fixture)  // 02: two rules
            _ = try await ArrangementStack.candidates(3, county: "430103", fixture)  // no rule
            let worker = try ArrangementStack.startWorker(settings)
            defer { kill(worker.processIdentifier, SIGKILL) }  // a failed test leaves no worker behind
            let run = try await ArrangementStack.run(seed: "refusal-seed-1", fixture, &staff)
            try await ArrangementStack.stop(worker)
            #expect(run["status"] as? String == "refused", "\(run)")
            let problems = (run["problems"] as? [[String: Any]] ?? []).map { "\($0["code"]!) \($0["countyID"] ?? "-") \($0["examGroup"] ?? "-") \($0["districtCode"] ?? "-") \($0["candidates"]!)" }
            #expect(Set(problems) == ["district.seats - - 4301 70", "scope.overlapping 430102 02 - 5", "scope.uncovered 430103 01 - 3"], "\(problems)")
            #expect(try await ReviewStack.count("SELECT count(*)::int FROM admission_ticket", fixture) == 0)
        }
    }

    @Test func aRunNumbersPaidCandidatesInRoomsOfOneGroupThatAnyoneCanRecompute() async throws {
        try await ReviewStack.with { fixture, settings in
            var staff = try await ArrangementStack.staff(fixture)
            try await ArrangementStack.setExamination(fixture, &staff)
            try await ArrangementStack.setDistricts(fixture, &staff)
            let first = try await ArrangementStack.approvedSite(fixture, &staff, district: "4301", rooms: 3, name: "甲中学")
            let second = try await ArrangementStack.approvedSite(fixture, &staff, district: "4301", rooms: 4, accessible: 1, name: "乙中学", byOtherCounty: true)
            let third = try await ArrangementStack.approvedSite(fixture, &staff, district: "4302", rooms: 2, name: "丙中学")
            try await ArrangementStack.setScope(fixture, &staff, county: "430102", group: "all", district: "4301")
            try await ArrangementStack.setScope(fixture, &staff, county: "430103", group: "all", district: "4302")
            let paid = try await ArrangementStack.candidates(65, county: "430102", fixture)
                + (try await ArrangementStack.candidates(31, county: "430102", level: "high_school_to_associate", fixture))
                + (try await ArrangementStack.candidates(12, county: "430103", level: "associate_to_bachelor", category: "经管", fixture))
            var unnumbered: [Int64] = []
            for status in ["exempt", "confirmed", "invalid"] { unnumbered += try await ArrangementStack.candidates(4, county: "430102", status: status, fixture) }
            // One real candidate, through sign-up, confirmation and payment, who reads their seat.
            var (candidate, candidateBrowser) = try await ReviewStack.paidCandidate(fixture, province: &staff.province)

            #expect(try await fixture.send(.post, "/staff/numbering-runs", ["seed": "short 1"], as: &staff.province).errorFields == ["seed"])
            #expect(try await fixture.send(.post, "/staff/numbering-runs", ["seed": "a-good-seed"], as: &staff.city).status == .forbidden)
            let worker = try ArrangementStack.startWorker(settings)
            defer { kill(worker.processIdentifier, SIGKILL) }  // a failed test leaves no worker behind
            let run = try await ArrangementStack.run(seed: "湖南2026公开摇号种子", fixture, &staff)
            #expect(run["status"] as? String == "done", "\(run)")
            let id = try #require(run["id"] as? String)
            let lines = try await ArrangementStack.tickets(id, fixture, &staff)
            #expect(lines.count == paid.count + 1 && run["candidates"] as? Int == paid.count + 1, "\(lines.count) \(paid.count) \(run)")
            // Exempt, unpaid and invalid candidates have no number.
            #expect(try await ReviewStack.count("SELECT count(*)::int FROM admission_ticket WHERE candidate_id = ANY(\(unnumbered))", fixture) == 0)
            // Rooms of at most 30, one group each, numbered without gaps in each district.
            let rooms = try await fixture.postgres.query(
                "SELECT district_code, room, groups, seats FROM exam_room WHERE run_id = \(UUID(uuidString: id)!) ORDER BY district_code, room", logger: TestStack.logger
            ).decode((String, Int, [String], Int).self).reduce(into: [(String, Int, [String], Int)]()) { $0.append($1) }
            #expect(rooms.allSatisfy { $0.3 <= 30 && $0.2.count == 1 })
            // 01: 66 (with the real candidate) = rooms 1, 2 and 6 left; 02: 31 = room 3 and 1 left; then the remainders, apart: 4, 5.
            #expect(rooms.filter { $0.0 == "4301" }.map { "\($0.1):\($0.2[0]):\($0.3)" } == ["1:01:30", "2:01:30", "3:02:30", "4:01:6", "5:02:1"], "\(rooms)")
            #expect(rooms.filter { $0.0 == "4302" }.map(\.1) == [1])
            // The auditor's few lines of Python give the same tickets and the run's digest.
            let audit = try ArrangementStack.audit(lines, seed: "湖南2026公开摇号种子", mix: false)
            #expect(audit.lines == lines && audit.digest == run["digest"] as? String, "\(audit.digest) \(lines.prefix(3))")
            #expect((run["rules"] as? [String: Any])?["scopeRules"] as? [[String: Any]] != nil)

            // The same seed again: the same digest; another seed: another.
            let again = try await ArrangementStack.run(seed: "湖南2026公开摇号种子", fixture, &staff)
            let other = try await ArrangementStack.run(seed: "another-seed-2026", fixture, &staff)
            #expect(again["digest"] as? String == run["digest"] as? String && other["digest"] as? String != run["digest"] as? String)
            // Only the latest run keeps its output.
            #expect(try await ReviewStack.count("SELECT count(DISTINCT run_id)::int FROM admission_ticket", fixture) == 1)
            try await ArrangementStack.stop(worker)
            let latest = try #require(other["id"] as? String)

            // Rooms to sites: the automatic proposal, adjustments never beyond what a site offered.
            let allocation4301 = "/staff/numbering-runs/\(latest)/districts/4301/allocation"
            #expect(try await fixture.send(.post, "\(allocation4301)/proposal", as: &staff.otherCounty).status == .forbidden, "4301's office is the city")
            let proposal = try await fixture.send(.post, "\(allocation4301)/proposal", as: &staff.city)
            let placed = (proposal.json["rooms"] as? [[String: Any]] ?? []).map { ($0["room"] as? Int ?? 0, $0["siteID"] as? String ?? "") }
            #expect(placed.map(\.1) == [first, first, first, second, second], "sites in county order, filled in turn: \(proposal.text)")
            let overfull = try await fixture.send(.put, allocation4301, ["rooms": [["room": 4, "siteID": first]]], as: &staff.city)
            #expect(overfull.status == .unprocessableContent && overfull.text.contains("site.overfull"), "\(overfull.text)")
            let foreign = try await fixture.send(.put, allocation4301, ["rooms": [["room": 4, "siteID": third]]], as: &staff.city)
            #expect(foreign.text.contains("site.unusable"), "\(foreign.text)")
            #expect(try await fixture.send(.put, allocation4301, ["rooms": [["room": 9, "siteID": second]]], as: &staff.city).text.contains("room.unknown"))
            let moved = try await fixture.send(.put, allocation4301, ["rooms": [["room": 3, "siteID": second]]], as: &staff.city)
            #expect(moved.status == .ok, "\(moved.text)")
            #expect(try await ReviewStack.count(
                "SELECT count(*)::int FROM (SELECT site_id FROM exam_room r JOIN exam_site s ON s.id = r.site_id GROUP BY site_id, s.rooms HAVING count(*) > s.rooms) x",
                fixture) == 0)
            #expect(try await fixture.send(.post, "/staff/numbering-runs/\(latest)/publish", as: &staff.province).errorCode == "allocation.open")
            for (district, officer) in [("4301", \ArrangementStack.Staff.city), ("4302", \ArrangementStack.Staff.county)] {
                let base = "/staff/numbering-runs/\(latest)/districts/\(district)/allocation"
                var browser = staff[keyPath: officer]
                if district == "4302" { #expect(try await fixture.send(.post, "\(base)/proposal", as: &browser).status == .ok) }
                #expect(try await fixture.send(.post, "\(base)/submit", as: &browser).json["status"] as? String == "submitted")
                #expect(try await fixture.send(.post, "\(base)/review", ["approve": true], as: &staff.county).status == .forbidden, "the city reviews")
                #expect(try await fixture.send(.post, "\(base)/review", ["approve": true], as: &staff.city).json["status"] as? String == "accepted")
            }
            #expect(try await fixture.send(.get, "/admission-ticket", as: &candidateBrowser).errorCode == "ticket.unpublished")
            #expect(try await fixture.send(.post, "/staff/numbering-runs/\(id)/publish", as: &staff.province).errorCode == "numbering.not_latest")
            #expect(try await fixture.send(.post, "/staff/numbering-runs/\(latest)/publish", as: &staff.province).status == .noContent)
            #expect(try await ReviewStack.count("SELECT count(*)::int FROM outbox_event WHERE event_type = 'ArrangementPublished'", fixture) == 1)
            #expect(try await fixture.send(.post, "/staff/numbering-runs", ["seed": "after-publication"], as: &staff.province).errorCode == "numbering.published")

            let ticket = try await fixture.send(.get, "/admission-ticket", as: &candidateBrowser)
            #expect(ticket.status == .ok && (ticket.json["ticket"] as? String)?.hasPrefix("430101") == true, "\(ticket.text)")
            #expect(["甲中学", "乙中学"].contains(ticket.json["siteName"] as? String ?? ""))

            // Corrections: one candidate to a new (accessible) room; every other number stays.
            let before = try await ArrangementStack.tickets(latest, fixture, &staff)
            let number = try await ReviewStack.candidateNumber(candidate.id, fixture)
            let move = ["candidateNumber": number, "siteID": second, "reason": "考生行动不便，安排无障碍考场"]
            #expect(try await fixture.send(.post, "/staff/arrangement/candidate-moves", move, as: &staff.otherCounty).status == .forbidden)
            let movedTicket = try await fixture.send(.post, "/staff/arrangement/candidate-moves", move, as: &staff.city)
            let newTicket = try #require(movedTicket.json["ticket"] as? String, "\(movedTicket.text)")
            #expect(newTicket == "43010100601", "group 01, room 6 (the district's next), seat 1")
            let after = try await ArrangementStack.tickets(latest, fixture, &staff)
            #expect(Set(before).subtracting(after).count == 1 && Set(after).subtracting(before) == ["\(newTicket),\(number)"])
            #expect(try await fixture.send(.get, "/admission-ticket", as: &candidateBrowser).json["ticket"] as? String == newTicket)
            // A site closed: its rooms, numbers unchanged, go to a site with rooms to spare.
            let full = try await fixture.send(.post, "/staff/exam-sites/\(first)/close", ["moveTo": second, "reason": "校舍维修"], as: &staff.city)
            #expect(full.text.contains("site.unusable"), "乙中学 has no 3 rooms to spare: \(full.text)")
            let fourth = try await ArrangementStack.approvedSite(fixture, &staff, district: "4301", rooms: 5, name: "丁中学")
            let closed = try await fixture.send(.post, "/staff/exam-sites/\(first)/close", ["moveTo": fourth, "reason": "校舍维修"], as: &staff.city)
            let inFirst = after.filter { $0.hasPrefix("4301") && ["001", "002"].contains(String($0.dropFirst(6).prefix(3))) }.count
            #expect(closed.status == .ok && closed.json["candidates"] as? Int == inFirst, "rooms 1 and 2: \(closed.text)")
            #expect(try await ArrangementStack.tickets(latest, fixture, &staff) == after)
            let changed = try await fixture.postgres.query(
                "SELECT convert_from(payload, 'UTF8') FROM outbox_event WHERE event_type = 'AdmissionTicketsChanged' ORDER BY id", logger: TestStack.logger
            ).decode(String.self).reduce(into: [String]()) { $0.append($1) }
            #expect(changed.count == 2 && changed[0].contains("\(candidate.id)"), "\(changed)")
            #expect(try await ReviewStack.count("SELECT count(*)::int FROM arrangement_correction", fixture) == 2)
            #expect(try await ReviewStack.count("SELECT count(*)::int FROM audit_event WHERE action IN ('arrangement.candidate_moved', 'arrangement.site_closed') AND outcome = 'allowed'", fixture) == 2)

            // The document worker notes every published candidate's ticket as due, and a new
            // version for each candidate a correction touched.
            let documents = try ArrangementStack.startWorker(settings, service: "DocumentGeneration")
            defer { kill(documents.processIdentifier, SIGKILL) }  // a failed test leaves no worker behind
            let noted = try await eventually(within: .seconds(60)) {
                let first = try await ReviewStack.count(
                    "SELECT count(*)::int FROM admission_ticket_document WHERE run_id = \(UUID(uuidString: latest)!) AND version = 1", fixture)
                let again = try await ReviewStack.count("SELECT count(*)::int FROM admission_ticket_document WHERE version = 2", fixture)
                return first == paid.count - inFirst && again == inFirst + 1
            }
            let rows = try await ReviewStack.count("SELECT count(*)::int FROM admission_ticket_document", fixture)
            #expect(noted, "\(rows) rows")
            #expect(try await ReviewStack.count("SELECT version FROM admission_ticket_document WHERE candidate_id = \(candidate.id)", fixture) == 2)
            try await ArrangementStack.stop(documents)
        }
    }

    @Test func theYearMayMixTheRemaindersOfADistrictsGroups() async throws {
        try await ReviewStack.with { fixture, settings in
            var staff = try await ArrangementStack.staff(fixture)
            try await ArrangementStack.setExamination(fixture, &staff, mixRemainders: true)
            try await ArrangementStack.setDistricts(fixture, &staff)
            _ = try await ArrangementStack.approvedSite(fixture, &staff, district: "4301", rooms: 5)
            try await ArrangementStack.setScope(fixture, &staff, county: "430102", group: "all", district: "4301")
            _ = try await ArrangementStack.candidates(40, county: "430102", fixture)
            _ = try await ArrangementStack.candidates(25, county: "430102", level: "high_school_to_associate", fixture)
            let worker = try ArrangementStack.startWorker(settings)
            defer { kill(worker.processIdentifier, SIGKILL) }  // a failed test leaves no worker behind
            let run = try await ArrangementStack.run(seed: "mixed-remainders", fixture, &staff)
            try await ArrangementStack.stop(worker)
            let id = try #require(run["id"] as? String, "\(run)")
            let rooms = try await fixture.postgres.query(
                "SELECT room, groups, seats FROM exam_room WHERE run_id = \(UUID(uuidString: id)!) ORDER BY room", logger: TestStack.logger
            ).decode((Int, [String], Int).self).reduce(into: [String]()) { $0.append("\($0.count + 1):\($1.1.joined(separator: "+")):\($1.2)") }
            // 40 of 01: one whole room and 10 left; 25 of 02: all left; together 35 in two mixed rooms.
            #expect(rooms == ["1:01:30", "2:01+02:30", "3:02:5"], "\(rooms)")
            let lines = try await ArrangementStack.tickets(id, fixture, &staff)
            let audit = try ArrangementStack.audit(lines, seed: "mixed-remainders", mix: true)
            #expect(audit.lines == lines && audit.digest == run["digest"] as? String, "\(audit.digest) \(run)")
        }
    }

    /// kill -9 of the worker when it has written every ticket and not committed (held there by a
    /// lock the test takes on `exam_room`, the next table it writes): nothing of the run is
    /// visible; the redelivered request, on a new worker, gives the digest of an uninterrupted run.
    @Test func aKilledRunLeavesNoNumbersAndItsRedeliveryGivesTheUninterruptedDigest() async throws {
        try await ReviewStack.with { fixture, settings in
            var staff = try await ArrangementStack.staff(fixture)
            try await ArrangementStack.setExamination(fixture, &staff)
            try await ArrangementStack.setDistricts(fixture, &staff)
            let third = try await fixture.send(.put, "/staff/exam-districts/4303", ["name": "长沙市第三考区", "cityID": "430100"], as: &staff.province)
            #expect(third.status == .ok, "\(third.text)")
            for district in ["4301", "4302", "4303"] {
                _ = try await ArrangementStack.approvedSite(fixture, &staff, district: district, rooms: 999, name: "大学城考点\(district)")
            }
            try await ArrangementStack.setScope(fixture, &staff, county: "430102", group: "01", district: "4301")
            try await ArrangementStack.setScope(fixture, &staff, county: "430102", group: "02", district: "4302")
            try await ArrangementStack.setScope(fixture, &staff, county: "430103", group: "all", district: "4303")
            _ = try await ArrangementStack.candidates(8_000, county: "430102", fixture)
            _ = try await ArrangementStack.candidates(8_000, county: "430102", level: "high_school_to_associate", fixture)
            _ = try await ArrangementStack.candidates(8_000, county: "430103", fixture)
            let requested = try await fixture.send(.post, "/staff/numbering-runs", ["seed": "kill-me-midway"], as: &staff.province)
            let id = try #require(requested.json["id"] as? String, "\(requested.text)")
            var province = staff.province
            try await fixture.postgres.withTransaction(logger: TestStack.logger) { lock in
                try await lock.query("LOCK TABLE exam_room IN SHARE MODE", logger: TestStack.logger)
                let first = try ArrangementStack.startWorker(settings)
                defer { kill(first.processIdentifier, SIGKILL) }  // a failed test leaves no worker behind
                let held = try await eventually(within: .seconds(120)) {
                    try await ReviewStack.count(
                        """
                        SELECT count(*)::int FROM pg_stat_activity
                        WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO exam_room%'
                        """, fixture) == 1
                }
                #expect(held, "the run wrote its tickets and waits to write its rooms")
                kill(first.processIdentifier, SIGKILL)
                _ = try await offThePool { first.waitUntilExit() }
                let atKill = try await fixture.send(.get, "/staff/numbering-runs/\(id)", as: &province).json
                #expect(atKill["status"] as? String == "running" && atKill["phase"] as? String == "write" && atKill["digest"] == nil, "\(atKill)")
                #expect(try await ReviewStack.count("SELECT count(*)::int FROM admission_ticket", fixture) == 0)
            }
            let second = try ArrangementStack.startWorker(settings)
            defer { kill(second.processIdentifier, SIGKILL) }  // a failed test leaves no worker behind
            let redone = try await ArrangementStack.finished(id, fixture, &staff, within: .seconds(180))
            #expect(redone["status"] as? String == "done" && redone["candidates"] as? Int == 24_000, "\(redone)")
            let uninterrupted = try await ArrangementStack.run(seed: "kill-me-midway", fixture, &staff, within: .seconds(180))
            try await ArrangementStack.stop(second)
            #expect(redone["digest"] as? String == uninterrupted["digest"] as? String, "\(uninterrupted)")
            #expect(try await ReviewStack.count("SELECT count(*)::int FROM admission_ticket", fixture) == 24_000)
        }
    }
}
}

extension WorkerQueueSuites.ArrangementTests {
    /// Real answers of every Arrangement route, happy and not, checked against its OpenAPI document.
    @Test func answersConformToTheArrangementDocument() async throws {
        try await ReviewStack.with { fixture, settings in
            var staff = try await ArrangementStack.staff(fixture)
            try await ArrangementStack.setExamination(fixture, &staff)
            var recorded: [(String, String, TestResponse)] = []
            func call(_ method: HTTPRequest.Method, _ template: String, _ path: String? = nil, _ body: Any? = nil, as browser: inout Browser) async throws -> TestResponse {
                let response = try await fixture.send(method, path ?? template, body, as: &browser)
                recorded.append((method.rawValue.lowercased(), template, response))
                return response
            }
            let district = "/staff/exam-districts/{code}"
            _ = try await call(.put, district, "/staff/exam-districts/4301", ["name": "长沙市第一考区", "cityID": "430100"], as: &staff.province)
            _ = try await call(.put, district, "/staff/exam-districts/4302", ["name": "长沙市第二考区", "cityID": "430100", "officeID": "430102"], as: &staff.province)
            _ = try await call(.put, district, "/staff/exam-districts/4303", ["name": "x", "cityID": "999999"], as: &staff.province)
            _ = try await call(.put, district, "/staff/exam-districts/4303", ["name": "某考区", "cityID": "430100"], as: &staff.city)
            _ = try await call(.get, "/staff/exam-districts", as: &staff.county)

            let body: [String: Any] = ["name": "长沙市第一中学", "districtCode": "4301", "address": "长沙市开福区测试路 1 号", "contact": "刘老师", "phone": "0731-84440000", "rooms": 3]
            let site = try #require(try await call(.post, "/staff/exam-sites", nil, body, as: &staff.county).json["id"] as? String)
            _ = try await call(.post, "/staff/exam-sites", nil, ["name": "x"], as: &staff.county)
            _ = try await call(.get, "/staff/exam-sites", as: &staff.city)
            _ = try await call(.post, "/staff/exam-sites/{id}/review", "/staff/exam-sites/\(site)/review", ["approve": false], as: &staff.city)
            _ = try await call(.post, "/staff/exam-sites/{id}/review", "/staff/exam-sites/\(site)/review", ["approve": true], as: &staff.city)
            _ = try await call(.post, "/staff/exam-sites/{id}/approve", "/staff/exam-sites/\(site)/approve", [String: String](), as: &staff.county)
            _ = try await call(.post, "/staff/exam-sites/{id}/approve", "/staff/exam-sites/\(site)/approve", [String: String](), as: &staff.province)
            _ = try await call(.post, "/staff/exam-sites/{id}/return", "/staff/exam-sites/\(site)/return", ["reason": "已审定"], as: &staff.province)

            let rule = ["countyID": "430102", "examGroup": "all", "districtCode": "4301"]
            _ = try await call(.put, "/staff/scope-rules", nil, rule, as: &staff.city)
            _ = try await call(.put, "/staff/scope-rules", nil, ["countyID": "430102", "examGroup": "07", "districtCode": "4301"], as: &staff.city)
            _ = try await call(.put, "/staff/scope-rules", nil, ["countyID": "430103", "examGroup": "01", "districtCode": "4302"], as: &staff.city)
            _ = try await call(.delete, "/staff/scope-rules/{county}/{group}", "/staff/scope-rules/430103/01", as: &staff.city)
            _ = try await call(.get, "/staff/scope-rules", as: &staff.city)

            _ = try await ArrangementStack.candidates(40, county: "430102", fixture)
            var (_, candidateBrowser) = try await ReviewStack.paidCandidate(fixture, province: &staff.province)
            _ = try await call(.get, "/admission-ticket", as: &candidateBrowser)
            let worker = try ArrangementStack.startWorker(settings)
            defer { kill(worker.processIdentifier, SIGKILL) }  // a failed test leaves no worker behind
            let requested = try await call(.post, "/staff/numbering-runs", nil, ["seed": "openapi-seed"], as: &staff.province)
            _ = try await call(.post, "/staff/numbering-runs", nil, ["seed": "openapi-seed"], as: &staff.province)
            _ = try await call(.post, "/staff/numbering-runs", nil, ["seed": "x"], as: &staff.province)
            let id = try #require(requested.json["id"] as? String)
            _ = try await call(.get, "/staff/numbering-runs/{id}/tickets", "/staff/numbering-runs/\(id)/tickets", as: &staff.city)
            let run = try await ArrangementStack.finished(id, fixture, &staff)
            #expect(run["status"] as? String == "done", "\(run)")
            _ = try await call(.get, "/staff/numbering-runs", as: &staff.county)
            _ = try await call(.get, "/staff/numbering-runs/{id}", "/staff/numbering-runs/\(id)", as: &staff.city)
            _ = try await call(.get, "/staff/numbering-runs/{id}", "/staff/numbering-runs/\(UUID())", as: &staff.city)
            _ = try await call(.get, "/staff/numbering-runs/{id}/tickets", "/staff/numbering-runs/\(id)/tickets", as: &staff.province)
            let allocation = "/staff/numbering-runs/{id}/districts/{code}/allocation"
            let here = "/staff/numbering-runs/\(id)/districts/4301/allocation"
            _ = try await call(.get, allocation, here, as: &staff.city)
            _ = try await call(.get, allocation, "/staff/numbering-runs/\(id)/districts/4399/allocation", as: &staff.city)
            _ = try await call(.post, allocation + "/submit", here + "/submit", as: &staff.city)
            _ = try await call(.post, allocation + "/proposal", here + "/proposal", as: &staff.otherCounty)
            _ = try await call(.post, allocation + "/proposal", here + "/proposal", as: &staff.city)
            _ = try await call(.put, allocation, here, ["rooms": [["room": 1, "siteID": "nowhere"]]], as: &staff.city)
            _ = try await call(.put, allocation, here, ["rooms": [["room": 1, "siteID": site]]], as: &staff.city)
            _ = try await call(.post, "/staff/numbering-runs/{id}/publish", "/staff/numbering-runs/\(id)/publish", as: &staff.province)
            _ = try await call(.post, allocation + "/submit", here + "/submit", as: &staff.city)
            _ = try await call(.post, allocation + "/review", here + "/review", ["approve": false], as: &staff.city)
            _ = try await call(.post, allocation + "/review", here + "/review", ["approve": true], as: &staff.city)
            _ = try await call(.post, "/staff/arrangement/candidate-moves", nil, ["candidateNumber": "26430102000001", "room": 1, "reason": "未发布时"], as: &staff.city)
            _ = try await call(.post, "/staff/numbering-runs/{id}/publish", "/staff/numbering-runs/\(id)/publish", as: &staff.city)
            _ = try await call(.post, "/staff/numbering-runs/{id}/publish", "/staff/numbering-runs/\(id)/publish", as: &staff.province)
            _ = try await call(.get, "/admission-ticket", as: &candidateBrowser)
            let lines = try await ArrangementStack.tickets(id, fixture, &staff)
            let number = try #require(lines.first?.split(separator: ",").last.map(String.init))
            _ = try await call(.post, "/staff/arrangement/candidate-moves", nil, ["candidateNumber": number, "room": 2, "reason": "调整座位"], as: &staff.city)
            _ = try await call(.post, "/staff/arrangement/candidate-moves", nil, ["candidateNumber": number, "room": 1, "siteID": site, "reason": "调整"], as: &staff.city)
            _ = try await call(.post, "/staff/arrangement/candidate-moves", nil, ["candidateNumber": number, "siteID": site, "reason": "安排无障碍考场"], as: &staff.city)
            _ = try await call(.post, "/staff/exam-sites/{id}/close", "/staff/exam-sites/\(site)/close", ["moveTo": site, "reason": "校舍维修"], as: &staff.city)
            _ = try await call(.post, "/staff/exam-sites/{id}/close", "/staff/exam-sites/NOSITE/close", ["moveTo": site, "reason": "校舍维修"], as: &staff.city)
            try await ArrangementStack.stop(worker)
            try OpenAPITests.check(recorded, against: .arrangement)
            let statuses = Set(recorded.map { "\($0.0) \($0.1) \($0.2.status.code)" })
            for expected in ["post /staff/numbering-runs 202", "post /staff/numbering-runs/{id}/publish 204", "post /staff/arrangement/candidate-moves 200", "get /admission-ticket 200"] {
                #expect(statuses.contains(expected), "\(expected): \(statuses.sorted())")
            }
        }
    }
}
