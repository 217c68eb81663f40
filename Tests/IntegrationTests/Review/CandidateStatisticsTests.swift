import CandidateLifecycle
import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
import ReviewService
import Testing

/// The Review worker's counts by node, status, level and subject category, kept from the
/// candidate events: 10,000 events (2,500 candidates of a county no other test uses, each moved
/// four times) while the worker is killed with SIGKILL every 2 s and started again; once the
/// events are through, the counts equal what the tables say, exactly.
@Suite struct CandidateStatisticsTests {
    static let county = "430124"
    static let point = "TP430124S"

    /// 2,500 registered candidates of the county, with registrations choosing the point; their ids.
    static func candidates(_ count: Int, _ fixture: AccessFixture) async throws -> [Int64] {
        try await fixture.postgres.query(
            """
            INSERT INTO organisation_node (id, kind, name, parent_id, path)
            SELECT \(point), 'confirmation_point', '统计测试确认点', id, path || \(point)::ltree FROM organisation_node WHERE id = \(county)
            ON CONFLICT (id) DO NOTHING
            """, logger: TestStack.logger)
        var ids: [Int64] = []
        for try await id in try await fixture.postgres.query(
            """
            WITH made AS (
                INSERT INTO candidate_account (document_type, document_number_sealed, document_number_lookup, document_number_masked, name,
                    phone_sealed, phone_masked, personal_data_key_id, password_hash, organisation_node_id)
                SELECT 'resident_id', '\\x01', decode(md5(random()::text || g::text) || md5(random()::text), 'hex'), '430124********0000', '统计',
                       '\\x01', '137****0000', 'k', NULL, \(county)
                FROM generate_series(1, \(count)) g
                RETURNING id
            ), registered AS (
                INSERT INTO registration (candidate_id, year, choices, confirmation_point_id)
                SELECT id, \(ExamYearSetup.year),
                       jsonb_build_array(jsonb_build_object('level', (ARRAY['high_school_to_bachelor', 'high_school_to_associate', 'associate_to_bachelor'])[1 + id % 3],
                                                            'subjectCategory', (ARRAY['文', '理'])[1 + id % 2])),
                       \(point)
                FROM made
            )
            SELECT id FROM made
            """, logger: TestStack.logger
        ).decode(Int64.self) { ids.append(id) }
        return ids
    }

    static func move(_ ids: [Int64], from: CandidateStatus, to: CandidateStatus, _ fixture: AccessFixture) async throws {
        try await fixture.postgres.withTransaction(logger: TestStack.logger) { connection in
            let moved = try await CandidateLifecycle.apply(
                try ids.map { try CandidateMove($0, from: from, to: to, by: .system(source: "statistics-test")) }, on: connection, logger: TestStack.logger)
            #expect(moved.count == ids.count)
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func countsKeptThroughKilledWorkersEqualTheTables() async throws {
        try await MachineLoad.shared.alone { try await Self.countsKeptThroughKilledWorkers() }
    }

    static func countsKeptThroughKilledWorkers() async throws {
        try await AccessFixture.with { fixture in
            try await ExamYearSetup.shared.ensure(fixture)
            let ids = try await Self.candidates(2_500, fixture)
            #expect(ids.count == 2_500)
            var worker = try PaperFormTests.startWorker("Review")
            defer { worker.stop() }
            let path: [(CandidateStatus, CandidateStatus)] = [(.registered, .submitted), (.submitted, .confirmed), (.confirmed, .paid), (.paid, .exempt)]
            for (from, to) in path {
                try await Self.move(ids, from: from, to: to, fixture)
                for _ in 0..<2 {
                    try await Task.sleep(for: .seconds(2))
                    Foundation.kill(worker.processIdentifier, SIGKILL)
                    worker = try PaperFormTests.startWorker("Review")
                }
            }
            // Through: every event published and counted, and the counts are the tables'.
            let caughtUp = try await eventually(within: .seconds(120)) {
                let unpublished = try await fixture.postgres.query(
                    "SELECT count(*)::int FROM outbox_event WHERE aggregate_id = ANY(\(ids.map { "candidate-\($0)" })) AND published_at IS NULL",
                    logger: TestStack.logger
                ).decode(Int.self).first { _ in true } ?? -1
                guard unpublished == 0 else { return false }
                let differences = try await fixture.postgres.withConnection { connection in
                    try await CandidateStatistics.differences(rebuild: false, nodes: [Self.county, Self.point], on: connection, logger: TestStack.logger)
                }
                return differences.isEmpty
            }
            #expect(caughtUp, "the counts of \(Self.county) and \(Self.point) equal the tables'")

            // As staff read them (the point's candidates of earlier runs too, on a reused stack):
            // this run's 2,500 are exempt now; its province sees it, another city does not.
            let exempt = try await fixture.postgres.query(
                "SELECT count(*)::int FROM statistics_source WHERE point_id = \(Self.point) AND status = 'exempt' AND year = \(ExamYearSetup.year)",
                logger: TestStack.logger
            ).decode(Int.self).first { _ in true } ?? 0
            #expect(exempt >= 2_500)
            var (_, province) = try await fixture.signedInProvinceAdministrator()
            let read = try await fixture.send(.get, "/staff/statistics?node=\(Self.point)&year=\(ExamYearSetup.year)", as: &province)
            #expect(read.status == .ok, "\(read.text)")
            #expect((read.json["total"] as? NSNumber)?.intValue == exempt, "\(read.text)")
            #expect(((read.json["byStatus"] as? [String: Any])?["exempt"] as? NSNumber)?.intValue == exempt)
            var (_, otherCity) = try await fixture.signedInStaff(at: "430200", roles: ["city_officer"], approvedBy: &province)
            #expect(try await fixture.send(.get, "/staff/statistics?node=\(Self.county)", as: &otherCity).status == .forbidden)
            #expect(try await fixture.send(.get, "/staff/statistics?node=nowhere", as: &otherCity).status == .forbidden)
        }
    }
}
