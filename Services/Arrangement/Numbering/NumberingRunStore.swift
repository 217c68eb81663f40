import Access
import Contracts
import Foundation
import Logging
import Messaging
import PostgresNIO
import ServiceRuntime

/// A numbering run as staff see it: where it is (`queued`, `running` with its phase and percent,
/// `done`, `refused` with its problems), what it used and what it gave.
struct NumberingRunRecord: Codable, Sendable {
    let id: UUID
    let year: Int
    let seed: String
    let status: String
    let phase: String?
    let percent: Int
    let problems: [NumberingProblem]?
    let rules: NumberingInputs.Recorded?
    let digest: String?
    let candidates: Int?
    let rooms: Int?
    let requestedAt: Date
    let finishedAt: Date?
    let publishedAt: Date?
}

/// The `numbering_run` table and its outputs, as the routes read and change them.
struct NumberingRunStore: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    enum Refusal: Error {
        case noCurrentYear, published, running
    }

    /// A queued run and its request to the worker, in one transaction.
    func request(seed: String, by member: StaffMember, clientAddress: String) async throws -> Result<UUID, Refusal> {
        let id = UUID()
        return try await postgres.withTransaction(logger: logger) { connection -> Result<UUID, Refusal> in
            guard let year = try await connection.query("SELECT year FROM exam_year WHERE current", logger: logger).decode(Int.self).first(where: { _ in true }) else {
                return .failure(.noCurrentYear)
            }
            // One request at a time per year: the lock orders two clicks of the button.
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext('numbering_run'), \(year)::int)", logger: logger)
            let state = try await connection.query(
                """
                SELECT count(*) FILTER (WHERE published_at IS NOT NULL)::int, count(*) FILTER (WHERE status = 'queued')::int
                FROM numbering_run WHERE year = \(year)
                """, logger: logger
            ).decode((Int, Int).self).first { _ in true }
            if (state?.0 ?? 0) > 0 { return .failure(.published) }
            if (state?.1 ?? 0) > 0 { return .failure(.running) }
            try await connection.query(
                "INSERT INTO numbering_run (id, year, seed, requested_by) VALUES (\(id), \(year), \(seed), \(member.id))", logger: logger)
            try await Outbox.append(
                [try OutboxEvent(Envelope(event: NumberingRequested(runID: id, year: year)), aggregateID: "numbering-\(year)", routingKey: NumberingRequested.routingKey)],
                in: connection, logger: logger)
            try await AuditLog.record(
                .staff(member), action: "numbering.request", target: .init(kind: "numbering_run", id: id.uuidString), clientAddress: clientAddress,
                on: connection, logger: logger)
            return .success(id)
        }
    }

    func runs() async throws -> [NumberingRunRecord] {
        try await records("WHERE r.year = (SELECT year FROM exam_year WHERE current) ORDER BY r.requested_at DESC LIMIT 100")
    }

    func run(_ id: UUID) async throws -> NumberingRunRecord? {
        try await records("WHERE r.id = \(id)").first
    }

    private func records(_ condition: PostgresQuery) async throws -> [NumberingRunRecord] {
        let query = PostgresQuery(
            unsafeSQL: """
                SELECT r.id, r.year, r.seed, r.status, p.phase, p.percent, r.problems::text, r.rules::text, r.digest, r.candidates, r.rooms,
                       r.requested_at, r.finished_at, r.published_at
                FROM numbering_run r LEFT JOIN numbering_progress p ON p.run_id = r.id
                """ + " " + condition.sql, binds: condition.binds)
        var result: [NumberingRunRecord] = []
        let decoder = JSONDecoder()
        for try await row in try await postgres.query(query, logger: logger).decode(
            (UUID, Int, String, String, String?, Int?, String?, String?, String?, Int?, Int?, Date, Date?, Date?).self)
        {
            let (id, year, seed, status, phase, percent, problems, rules, digest, candidates, rooms, requested, finished, published) = row
            let running = status == "queued" && phase != nil
            result.append(
                NumberingRunRecord(
                    id: id, year: year, seed: seed, status: running ? "running" : status, phase: status == "queued" ? phase : nil,
                    percent: status == "queued" ? (percent ?? 0) : 100,
                    problems: try problems.map { try decoder.decode([NumberingProblem].self, from: Data($0.utf8)) },
                    rules: try rules.map { try decoder.decode(NumberingInputs.Recorded.self, from: Data($0.utf8)) }, digest: digest,
                    candidates: candidates, rooms: rooms, requestedAt: requested, finishedAt: finished, publishedAt: published))
        }
        return result
    }

    /// The run's output as the digest covers it: `ticket,candidateNumber`, in ticket order.
    func tickets(of run: UUID) async throws -> [[String]] {
        var rows: [[String]] = []
        for try await (ticket, number) in try await postgres.query(
            """
            SELECT t.ticket, c.candidate_number FROM admission_ticket t JOIN candidate_confirmation c ON c.candidate_id = t.candidate_id
            WHERE t.run_id = \(run) ORDER BY t.ticket
            """, logger: logger
        ).decode((String, String).self) {
            rows.append([ticket, number])
        }
        return rows
    }
}
