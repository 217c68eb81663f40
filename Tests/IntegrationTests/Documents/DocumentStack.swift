import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
import Settings
import Testing

/// A published arrangement in a scratch database, as the document tests start from: one site of
/// 长沙市第一考区 (4301) with the rooms needed, `extra` paid candidates of 芙蓉区 written as
/// confirmation and payment leave them, and one real candidate (signed up, photographed,
/// confirmed, paid) who is signed in.
enum DocumentStack {
    struct Published {
        var staff: ArrangementStack.Staff
        let candidate: Candidate
        var candidateBrowser: Browser
        let site: String
        let run: UUID
        let synthetic: [Int64]
    }

    static func published(_ fixture: AccessFixture, _ settings: PostgresSettings, extra: Int, rooms: Int = 6) async throws -> Published {
        var staff = try await ArrangementStack.staff(fixture)
        try await ArrangementStack.setExamination(fixture, &staff)
        try await ArrangementStack.setDistricts(fixture, &staff)
        let site = try await ArrangementStack.approvedSite(fixture, &staff, district: "4301", rooms: rooms, name: "长沙市第一中学")
        try await ArrangementStack.setScope(fixture, &staff, county: "430102", group: "all", district: "4301")
        let synthetic = try await ArrangementStack.candidates(extra, county: "430102", fixture)
        var (candidate, browser) = try await ReviewStack.paidCandidate(fixture, province: &staff.province)
        let worker = try ArrangementStack.startWorker(settings)
        defer { kill(worker.processIdentifier, SIGKILL) }
        let run = try await ArrangementStack.run(seed: "documents-2026-seed", fixture, &staff)
        #expect(run["status"] as? String == "done", "\(run)")
        try await ArrangementStack.stop(worker)
        let id = try #require(run["id"] as? String)
        let base = "/staff/numbering-runs/\(id)/districts/4301/allocation"
        #expect(try await fixture.send(.post, "\(base)/proposal", as: &staff.city).status == .ok)
        #expect(try await fixture.send(.post, "\(base)/submit", as: &staff.city).status == .ok)
        #expect(try await fixture.send(.post, "\(base)/review", ["approve": true], as: &staff.city).status == .ok)
        // Before publication there is no ticket to download.
        #expect(try await fixture.send(.get, "/admission-ticket.pdf", as: &browser).errorCode == "admission_ticket.unpublished")
        #expect(try await fixture.send(.post, "/staff/numbering-runs/\(id)/publish", as: &staff.province).status == .noContent)
        return Published(staff: staff, candidate: candidate, candidateBrowser: browser, site: site, run: UUID(uuidString: id)!, synthetic: synthetic)
    }

    /// Until every ticket of the run is made (false if not within the time).
    static func ticketsMade(_ run: UUID, _ fixture: AccessFixture, within limit: Duration = .seconds(120)) async throws -> Bool {
        try await eventually(within: limit) {
            let due = try await ReviewStack.count("SELECT count(*)::int FROM admission_ticket_document WHERE run_id = \(run) AND made_at IS NULL", fixture)
            let all = try await ReviewStack.count("SELECT count(*)::int FROM admission_ticket_document WHERE run_id = \(run)", fixture)
            return due == 0 && all > 0
        }
    }
}
