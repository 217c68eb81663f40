import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Settings
import Testing
import ZIPFoundation

/// The exam documents, drawn by real worker processes on a scratch database and checked with
/// independent tools (poppler-utils for the PDFs, zxing-cpp for the QR codes).
extension WorkerQueueSuites {
@Suite(.serialized) struct DocumentTests {
    @Test func ticketsAreDrawnOnceEachWithACodeAnyoneCanVerifyAndARareCharacterIsListed() async throws {
        try await ReviewStack.with { fixture, settings in
            var published = try await DocumentStack.published(fixture, settings, extra: 40)
            // A name with a character no installed font has (U+2A6D6, CJK Extension B's last).
            let rare = published.synthetic[3]
            try await fixture.postgres.query("UPDATE candidate_account SET name = '编排𪛖' WHERE id = \(rare)", logger: TestStack.logger)
            let worker = try ArrangementStack.startWorker(settings, service: "DocumentGeneration")
            defer { kill(worker.processIdentifier, SIGKILL) }
            #expect(try await DocumentStack.ticketsMade(published.run, fixture))
            let progress = try await fixture.send(.get, "/staff/admission-tickets/progress", as: &published.staff.province)
            #expect(progress.json["tickets"] as? Int == 41 && progress.json["percent"] as? Int == 100, "\(progress.text)")
            #expect(try await fixture.send(.get, "/staff/admission-tickets/progress", as: &published.staff.county).status == .forbidden)
            // One file per candidate, made once.
            #expect(try await ReviewStack.count("SELECT count(*)::int FROM stored_document WHERE kind = 'admission_ticket'", fixture) == 41)

            // The candidate's own ticket.
            let download = try await fixture.send(.get, "/admission-ticket.pdf", as: &published.candidateBrowser)
            #expect(download.status == .ok && download.headers[.contentType] == "application/pdf")
            let bytes = Array(buffer: download.body)
            #expect(bytes.count < 150_000, "\(bytes.count) bytes")
            let pdf = try await DocumentChecks.check(bytes, name: "admission_ticket")
            let ticket = try await fixture.postgres.query(
                "SELECT ticket FROM admission_ticket WHERE run_id = \(published.run) AND candidate_id = \(published.candidate.id)", logger: TestStack.logger
            ).decode(String.self).first { _ in true } ?? ""
            let number = try await ReviewStack.candidateNumber(published.candidate.id, fixture)
            for expected in ["准 考 证", published.candidate.name, ticket, number, "长沙市第一中学", "考生须知", "语文", "数学（文）", "开考前 20 分钟"] {
                #expect(pdf.shows(expected), "\(expected) in \(pdf.text)")
            }
            #expect(!pdf.shows(published.candidate.number), "the ID number is printed masked")
            #expect(pdf.isA4 && pdf.pages == 1 && pdf.images == 1, "\(pdf.pageSize) \(pdf.pages) \(pdf.images)")
            #expect(!pdf.fonts.isEmpty && pdf.fonts.allSatisfy(\.embedded), "\(pdf.fonts)")
            // On disk the file is sealed: no PDF, no name to read.
            let file = try #require(try await fixture.postgres.query(
                "SELECT file FROM stored_document WHERE kind = 'admission_ticket' AND subject = \(String(published.candidate.id))", logger: TestStack.logger
            ).decode(String.self).first { _ in true })
            let onDisk = try Data(contentsOf: URL(fileURLWithPath: AccessFixture.documentStore(for: settings.database)).appendingPathComponent(file))
            #expect(onDisk.starts(with: Data("EXAMDOC1 ".utf8)) && onDisk.range(of: Data("%PDF".utf8)) == nil && onDisk.count > bytes.count)

            // The QR code as a reader at the site decodes it from the printed page.
            let codes = try await DocumentChecks.qrCodes(in: pdf.png)
            let code = try #require(codes.first, "no QR code found in \(pdf.png.path)")
            let verdict = try await fixture.send(.get, "/verify/\(code)", as: &published.staff.county)
            #expect(verdict.json["valid"] as? Bool == true, "\(verdict.text)")
            #expect((verdict.json["code"] as? [String: Any])?["ticket"] as? String == ticket)
            // Offline: the published public key verifies the signature.
            let keys = try await fixture.send(.get, "/verify/keys", as: &published.staff.county)
            let parts = code.split(separator: ".").map(String.init)
            let key = try #require((keys.json["keys"] as? [[String: Any]])?.first { $0["keyID"] as? String == parts[1] })
            let publicKey = try Curve25519.Signing.PublicKey(rawRepresentation: Data(base64Encoded: key["publicKey"] as? String ?? "")!)
            #expect(publicKey.isValidSignature(try #require(Self.base64URL(parts[3])), for: Data(parts[0...2].joined(separator: ".").utf8)))
            // Altered (another seat, the signature kept), under an unknown key, forged with a key
            // of one's own under the real id, and not a code at all: refused, each saying why.
            var payload = String(decoding: try #require(Self.base64URL(parts[2])), as: UTF8.self).split(separator: "|").map(String.init)
            payload[5] = payload[5] == "01" ? "02" : "01"
            let altered = [parts[0], parts[1], Self.base64URL(Array(payload.joined(separator: "|").utf8)), parts[3]].joined(separator: ".")
            let forger = Curve25519.Signing.PrivateKey()
            let unsigned = [parts[0], parts[1], parts[2]].joined(separator: ".")
            let forged = unsigned + "." + Self.base64URL(Array(try forger.signature(for: Data(unsigned.utf8))))
            for (candidate, reason) in [
                (altered, "bad_signature"), ([parts[0], "zz9", parts[2], parts[3]].joined(separator: "."), "unknown_key"), (forged, "bad_signature"),
                ("not-a-ticket-code", "malformed"),
            ] {
                let refused = try await fixture.send(.get, "/verify/\(candidate)", as: &published.staff.county)
                #expect(refused.json["valid"] as? Bool == false && refused.json["reason"] as? String == reason, "\(reason): \(refused.text)")
            }

            // A point's county prints the candidate's ticket (audited); another county may not.
            let printed = try await fixture.send(.get, "/staff/candidates/\(published.candidate.id)/admission-ticket.pdf", as: &published.staff.county)
            #expect(printed.status == .ok && Array(buffer: printed.body) == bytes, "served from the stored file")
            #expect(try await fixture.send(.get, "/staff/candidates/\(published.candidate.id)/admission-ticket.pdf", as: &published.staff.otherCounty).status == .forbidden)
            #expect(try await ReviewStack.count("SELECT count(*)::int FROM audit_event WHERE action = 'admission_ticket.print' AND outcome = 'allowed'", fixture) == 1)
            #expect(try await ReviewStack.count("SELECT count(*)::int FROM audit_event WHERE action = 'admission_ticket.print' AND outcome = 'denied'", fixture) == 1)

            // The rare character: the ticket is made, and the case is listed for staff.
            let rareTicket = try await fixture.send(.get, "/staff/candidates/\(rare)/admission-ticket.pdf", as: &published.staff.county)
            #expect(rareTicket.status == .ok)
            let rarePDF = try await DocumentChecks.check(Array(buffer: rareTicket.body), name: "admission_ticket-missing-glyph")
            #expect(rarePDF.shows("编排"))
            let problems = try await fixture.send(.get, "/staff/document-problems", as: &published.staff.county)
            let listed = (problems.json["problems"] as? [[String: Any]]) ?? []
            #expect(listed.count == 1 && listed.first?["characters"] as? String == "𪛖" && listed.first?["field"] as? String == "{name}", "\(problems.text)")
            #expect(listed.first?["candidateID"] as? Int == Int(rare))
            #expect(((try await fixture.send(.get, "/staff/document-problems", as: &published.staff.otherCounty)).json["problems"] as? [Any])?.isEmpty == true)

            // A correction moves the candidate: a new version with the new seat; the old code is superseded.
            let move = ["candidateNumber": number, "siteID": published.site, "reason": "考生行动不便，安排无障碍考场"]
            let moved = try await fixture.send(.post, "/staff/arrangement/candidate-moves", move, as: &published.staff.city)
            let newTicket = try #require(moved.json["ticket"] as? String, "\(moved.text)")
            #expect(try await eventually(within: .seconds(60)) {
                try await ReviewStack.count(
                    "SELECT count(*)::int FROM admission_ticket_document WHERE candidate_id = \(published.candidate.id) AND version = 2 AND made_at IS NOT NULL", fixture) == 1
            })
            let second = try await fixture.send(.get, "/admission-ticket.pdf", as: &published.candidateBrowser)
            let secondPDF = try await DocumentChecks.check(Array(buffer: second.body), name: "admission_ticket-corrected")
            #expect(secondPDF.shows(newTicket) && !secondPDF.shows(ticket) && secondPDF.shows("第 2 版"), "\(secondPDF.text)")
            let superseded = try await fixture.send(.get, "/verify/\(code)", as: &published.staff.county)
            #expect(superseded.json["valid"] as? Bool == false && superseded.json["reason"] as? String == "superseded", "\(superseded.text)")
            let newCode = try #require(try await DocumentChecks.qrCodes(in: secondPDF.png).first)
            #expect(try await fixture.send(.get, "/verify/\(newCode)", as: &published.staff.county).json["valid"] as? Bool == true)
            #expect(try await ReviewStack.count("SELECT count(*)::int FROM stored_document WHERE kind = 'admission_ticket'", fixture) == 42)
            try await ArrangementStack.stop(worker)
        }
    }

    @Test func aSitePackSurvivesAKilledWorkerWithEveryRoomDrawnOnce() async throws {
        try await ReviewStack.with { fixture, settings in
            var published = try await DocumentStack.published(fixture, settings, extra: 100)
            let rooms = try await ReviewStack.count("SELECT count(*)::int FROM exam_room WHERE run_id = \(published.run)", fixture)
            #expect(rooms == 4)
            let path = "/staff/exam-sites/\(published.site)/pack"
            #expect(try await fixture.send(.post, path, as: &published.staff.otherCounty).status == .forbidden)
            let requested = try await fixture.send(.post, path, as: &published.staff.county)
            #expect(requested.status == .accepted && requested.json["rooms"] as? Int == rooms, "\(requested.text)")
            let pack = try #require(requested.json["id"] as? String)
            let again = try await fixture.send(.post, path, as: &published.staff.county)
            #expect(again.status == .ok && again.json["id"] as? String == pack, "the same data: the same pack")
            #expect(try await fixture.send(.get, "/staff/site-packs/\(pack)/file", as: &published.staff.county).errorCode == "site_pack.drawing")

            // The first worker draws rooms but cannot finish them: the test holds the pack table,
            // so each room waits, drawn and uncommitted, until the worker is killed.
            let (lockDone, lockHeld) = try await Self.holdLock("LOCK TABLE site_pack IN EXCLUSIVE MODE", settings)
            let first = try ArrangementStack.startWorker(settings, service: "DocumentGeneration")
            defer { kill(first.processIdentifier, SIGKILL) }
            #expect(try await eventually(within: .seconds(60)) {
                try await ReviewStack.count(
                    "SELECT count(*)::int FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%FROM site_pack WHERE id%'", fixture) >= 1
            }, "a room drawn and waiting")
            kill(first.processIdentifier, SIGKILL)
            _ = try await offThePool { first.waitUntilExit() }
            lockDone.yield()
            try await lockHeld.value
            #expect(try await ReviewStack.count("SELECT count(*)::int FROM site_pack_room WHERE made_at IS NOT NULL", fixture) == 0)

            let second = try ArrangementStack.startWorker(settings, service: "DocumentGeneration")
            defer { kill(second.processIdentifier, SIGKILL) }
            var progress: [String: Any] = [:]
            #expect(try await eventually(within: .seconds(120)) {
                progress = try await fixture.send(.get, "/staff/site-packs/\(pack)", as: &published.staff.county).json
                return progress["status"] as? String == "done"
            }, "\(progress)")
            #expect(progress["roomsMade"] as? Int == rooms)
            // Every room once, and the pack once.
            #expect(try await ReviewStack.count("SELECT count(*)::int FROM stored_document WHERE kind = 'site_pack' AND subject LIKE \(pack.lowercased() + "-%")", fixture) == rooms)
            #expect(try await ReviewStack.count("SELECT count(*)::int FROM stored_document WHERE kind = 'site_pack' AND subject = \(pack.lowercased())", fixture) == 1)
            #expect(try await fixture.send(.get, "/staff/site-packs/\(pack)/file", as: &published.staff.otherCounty).status == .forbidden)
            let zip = try await fixture.send(.get, "/staff/site-packs/\(pack)/file", as: &published.staff.county)
            #expect(zip.status == .ok && zip.headers[.contentType] == "application/zip")
            let archive = try Archive(data: Data(Array(buffer: zip.body)), accessMode: .read)
            var entries: [String: [UInt8]] = [:]
            for entry in archive {
                var data = Data()
                _ = try archive.extract(entry) { data.append($0) }
                entries[entry.path] = Array(data)
            }
            #expect(entries.keys.sorted() == ["room-4301-001.pdf", "room-4301-002.pdf", "room-4301-003.pdf", "room-4301-004.pdf", "summary.pdf"], "\(entries.keys)")
            let summary = try await DocumentChecks.check(entries["summary.pdf"] ?? [], name: "site_summary")
            #expect(summary.shows("考点汇总表") && summary.shows("长沙市第一中学") && summary.shows("4301-004"), "\(summary.text)")
            #expect(summary.isA4 && summary.fonts.allSatisfy(\.embedded))
            // The real candidate's room: door sheet, seat labels and sign-in sheets with the photo.
            let ticket = try await fixture.postgres.query(
                "SELECT ticket FROM admission_ticket WHERE run_id = \(published.run) AND candidate_id = \(published.candidate.id)", logger: TestStack.logger
            ).decode(String.self).first { _ in true } ?? ""
            let room = try #require(entries["room-4301-\(ticket.dropFirst(6).prefix(3)).pdf"])
            let door = try await DocumentChecks.check(room, name: "door_sheet")
            let labels = try await DocumentChecks.check(room, name: "seat_labels", page: 2)
            let signIn = try await DocumentChecks.check(room, name: "sign_in_sheet", page: 5)
            #expect(door.shows("第 \(ticket.dropFirst(6).prefix(3)) 考场") && door.shows(published.candidate.name) && door.shows(ticket))
            #expect(door.shows("考生签到表") && door.shows("监考员签名") && door.shows("数学（文）"), "sign-in sheets for both sessions")
            // Door sheet 1, seat labels 3 (30 seats, 10 a page), sign-in sheets 4 a session (8 a page) for 2 sessions.
            #expect(door.pages == 1 + 3 + 4 + 4 && door.isA4 && door.fonts.allSatisfy(\.embedded), "\(door.pages)")
            #expect(door.images >= 2, "the photo on both sessions' sheets: \(door.images)")
            _ = (labels, signIn)
            try await ArrangementStack.stop(second)
        }
    }

    /// Holds a lock in a transaction of its own until the first stream is yielded to.
    static func holdLock(_ statement: PostgresQuery, _ settings: PostgresSettings) async throws -> (AsyncStream<Void>.Continuation, Task<Void, any Error>) {
        let (release, continuation) = AsyncStream<Void>.makeStream()
        let taken = AsyncStream<Void>.makeStream()
        let task = Task {
            try await withPostgres(settings) { client in
                try await client.withTransaction(logger: TestStack.logger) { connection in
                    try await connection.query(statement, logger: TestStack.logger)
                    taken.continuation.yield()
                    for await _ in release { break }
                }
            }
        }
        for await _ in taken.stream { break }
        return (continuation, task)
    }

    @Test func aFlowFormIsDrawnForThePointsRequestAndLayoutsAreTheYears() async throws {
        try await ReviewStack.with { fixture, settings in
            var (_, province) = try await fixture.signedInProvinceAdministrator()
            let confirmed = try await PaymentTests.confirmedCandidate(fixture, province: &province)
            let candidate = confirmed.0
            var candidateBrowser = confirmed.1
            var (_, county) = try await fixture.signedInStaff(at: "430102", roles: ["county_officer"], approvedBy: &province)
            var (_, otherCounty) = try await fixture.signedInStaff(at: "430103", roles: ["county_officer"], approvedBy: &province)
            var stranger = try await fixture.signedInCandidate(county: "430102").1
            #expect(try await fixture.send(.get, "/flow-form.pdf", as: &stranger).errorCode == "flow_form.none")
            let requested = try await fixture.send(.post, "/staff/candidates/\(candidate.id)/flow-form", as: &county)
            let id = try #require(requested.json["requestID"] as? String, "\(requested.text)")
            #expect(try await fixture.send(.get, "/staff/document-requests/\(id)", as: &county).json["status"] as? String == "queued")
            // The worker draws it from the queue.
            let worker = try ArrangementStack.startWorker(settings, service: "DocumentGeneration")
            defer { kill(worker.processIdentifier, SIGKILL) }
            #expect(try await eventually(within: .seconds(60)) {
                try await fixture.send(.get, "/staff/document-requests/\(id)", as: &county).json["status"] as? String == "ready"
            })
            #expect(try await fixture.send(.get, "/staff/document-requests/\(id)/pdf", as: &otherCounty).status == .forbidden)
            let form = try await fixture.send(.get, "/staff/document-requests/\(id)/pdf", as: &county)
            #expect(form.status == .ok && form.headers[.contentType] == "application/pdf")
            let pdf = try await DocumentChecks.check(Array(buffer: form.body), name: "registration_flow_form")
            for expected in ["网上报名流程表", candidate.name, "诚信考试承诺书", "考生签名", "已完成", "下一步", "网上缴纳报名考试费", "志愿1"] {
                #expect(pdf.shows(expected), "\(expected) in \(pdf.text)")
            }
            #expect(pdf.isA4 && pdf.images == 1 && pdf.fonts.allSatisfy(\.embedded), "\(pdf.pageSize) \(pdf.images) \(pdf.fonts)")
            // Asked for again by staff, or by the candidate from the portal, it is served, not drawn again.
            _ = try await fixture.send(.get, "/staff/document-requests/\(id)/pdf", as: &county)
            let own = try await fixture.send(.get, "/flow-form.pdf", as: &candidateBrowser)
            #expect(own.status == .ok && Array(buffer: own.body) == Array(buffer: form.body))
            #expect(try await ReviewStack.count("SELECT count(*)::int FROM stored_document WHERE kind = 'registration_flow_form'", fixture) == 1)
            try await ArrangementStack.stop(worker)

            // The year's layouts: read by staff, replaced by the province after a trial drawing.
            let bundled = try await fixture.send(.get, "/staff/document-layouts/admission_ticket", as: &county)
            #expect(bundled.json["source"] as? String == "bundled" && (bundled.json["values"] as? [String])?.contains("ticket") == true)
            var layout = try #require(bundled.json["layout"] as? [String: Any])
            #expect(try await fixture.send(.put, "/staff/document-layouts/admission_ticket", layout, as: &county).status == .forbidden)
            var elements = layout["elements"] as? [[String: Any]] ?? []
            elements.append(["type": "text", "text": "{nonsense}", "x": 10, "y": 10, "width": 50, "height": 10, "size": 10])
            layout["elements"] = elements
            let refused = try await fixture.send(.put, "/staff/document-layouts/admission_ticket", layout, as: &province)
            #expect(refused.status == .unprocessableContent && refused.text.contains("{nonsense}"), "\(refused.text)")
            elements.removeLast()
            elements.append(["type": "text", "text": "{year}年 湖南省教育考试院 制", "x": 15, "y": 290, "width": 180, "height": 5, "size": 7, "align": "center"])
            layout["elements"] = elements
            let replaced = try await fixture.send(.put, "/staff/document-layouts/admission_ticket", layout, as: &province)
            #expect(replaced.status == .ok && replaced.json["source"] as? String == "year", "\(replaced.text)")
            #expect(try await fixture.send(.get, "/staff/document-layouts/no_such_kind", as: &county).status == .notFound)
        }
    }

    static func base64URL(_ text: String) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64).map(Array.init)
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
}
