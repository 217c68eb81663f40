import Contracts
import Foundation
import Logging
import Messaging
import NIOCore
import PostgresNIO

/// Does a numbering run the province asked for (`arrangement.numbering`), all in the message's
/// transaction: its tickets, rooms and `done` commit together or not at all, so a failed or
/// killed run leaves nothing visible and its redelivery starts again from the roster. Progress
/// is written beside the transaction, on a connection of its own, so the province sees it move.
struct NumberingRunner: MessageHandler {
    let consumerName = "arrangement.numbering"
    let postgres: PostgresClient
    let logger: Logger
    /// Rows per slice of the COPY (and per progress report).
    static let rowsPerStatement = 10_000

    func handle(_ message: IncomingMessage, in transaction: PostgresConnection, logger: Logger) async throws {
        let event = try Envelope<NumberingRequested>.decode(message.body).event
        // NO KEY UPDATE: the progress rows (which reference the run) are not blocked by it.
        let waiting = try await transaction.query(
            """
            SELECT seed FROM numbering_run r WHERE id = \(event.runID) AND status = 'queued'
              AND NOT EXISTS (SELECT 1 FROM numbering_run p WHERE p.year = r.year AND p.published_at IS NOT NULL)
            FOR NO KEY UPDATE
            """, logger: logger
        ).decode(String.self).first { _ in true }
        guard let seed = waiting else { return }
        let started = ContinuousClock.now

        await progress(event.runID, "roster", 5)
        let inputs = try await Self.inputs(year: event.year, on: transaction, logger: logger)
        let roster = try await Self.roster(year: event.year, on: transaction, logger: logger)
        let read = ContinuousClock.now
        await progress(event.runID, "checks", 20)
        let (candidates, problems) = NumberingPlacement.place(roster, inputs)
        guard problems.isEmpty, let examination = inputs.examination else {
            return try await refuse(event.runID, problems, inputs, on: transaction)
        }
        await progress(event.runID, "order", 25)
        let result: Numbering.Result
        do {
            result = try Numbering.run(candidates, rules: .init(seatsPerRoom: examination.seatsPerRoom, mixRemainders: examination.mixRemainders), seed: seed)
        } catch .roomsExhausted(let district) {
            let problem = NumberingProblem(code: "district.room_numbers", message: "考区考场超过 999 个", districtCode: district, candidates: 0, examples: [])
            return try await refuse(event.runID, [problem], inputs, on: transaction)
        } catch .badCode(let number) {
            let problem = NumberingProblem(code: "code.invalid", message: "考区或科类组代码无效", candidates: 1, examples: [number])
            return try await refuse(event.runID, [problem], inputs, on: transaction)
        }
        let roomProblems = NumberingPlacement.roomProblems(result.rooms, inputs)
        guard roomProblems.isEmpty else { return try await refuse(event.runID, roomProblems, inputs, on: transaction) }
        let ordered = ContinuousClock.now

        await progress(event.runID, "write", 50)
        // COPY, in slices that report progress: as fast as PostgreSQL takes rows.
        let run = event.runID.uuidString
        try await transaction.copyFrom(table: "admission_ticket", columns: ["run_id", "ticket", "candidate_id"], logger: logger) { writer in
            for start in stride(from: 0, to: result.seats.count, by: Self.rowsPerStatement) {
                var buffer = ByteBuffer()
                buffer.reserveCapacity(Self.rowsPerStatement * 64)
                for seat in result.seats[start..<min(start + Self.rowsPerStatement, result.seats.count)] {
                    buffer.writeString("\(run)\t\(seat.ticket.text)\t\(seat.candidateID)\n")
                }
                try await writer.write(buffer)
                let written = min(start + Self.rowsPerStatement, result.seats.count)
                await progress(event.runID, "write", 50 + 45 * written / max(result.seats.count, 1))
            }
        }
        try await transaction.query(
            """
            INSERT INTO exam_room (run_id, district_code, room, groups, seats)
            SELECT \(event.runID), d, r, string_to_array(g, ','), s
            FROM unnest(\(result.rooms.map(\.district))::text[], \(result.rooms.map(\.number))::int[],
                        \(result.rooms.map { $0.groups.joined(separator: ",") })::text[], \(result.rooms.map(\.seats))::int[]) AS x(d, r, g, s)
            """, logger: logger)
        try await transaction.query(
            """
            INSERT INTO room_allocation (run_id, district_code) SELECT DISTINCT \(event.runID), district_code FROM exam_room WHERE run_id = \(event.runID)
            """, logger: logger)
        // Earlier runs of the year that were not published keep their record (seed, digest), not their output.
        try await transaction.query(
            """
            WITH earlier AS (SELECT id FROM numbering_run WHERE year = \(event.year) AND id <> \(event.runID) AND published_at IS NULL),
                 tickets AS (DELETE FROM admission_ticket WHERE run_id IN (SELECT id FROM earlier)),
                 allocations AS (DELETE FROM room_allocation WHERE run_id IN (SELECT id FROM earlier))
            DELETE FROM exam_room WHERE run_id IN (SELECT id FROM earlier)
            """, logger: logger)
        try await transaction.query(
            """
            UPDATE numbering_run SET status = 'done', rules = \(try Self.recorded(inputs))::jsonb, problems = NULL, digest = \(result.digest),
                   candidates = \(result.seats.count), rooms = \(result.rooms.count), finished_at = clock_timestamp()
            WHERE id = \(event.runID)
            """, logger: logger)
        await progress(event.runID, "commit", 99)
        logger.info(
            "numbering run done",
            metadata: [
                "run": "\(event.runID)", "candidates": "\(result.seats.count)", "rooms": "\(result.rooms.count)",
                "reading": "\(read - started)", "ordering": "\(ordered - read)", "writing": "\(ContinuousClock.now - ordered)",
            ])
    }

    private func refuse(_ run: UUID, _ problems: [NumberingProblem], _ inputs: NumberingInputs, on transaction: PostgresConnection) async throws {
        let text = String(decoding: try JSONEncoder().encode(problems), as: UTF8.self)
        try await transaction.query(
            """
            UPDATE numbering_run SET status = 'refused', rules = \(try Self.recorded(inputs))::jsonb, problems = \(text)::jsonb, finished_at = clock_timestamp()
            WHERE id = \(run)
            """, logger: logger)
        logger.info("numbering run refused", metadata: ["run": "\(run)", "problems": "\(problems.count)"])
    }

    /// Beside the run's transaction; a progress row that cannot be written only delays the display.
    private func progress(_ run: UUID, _ phase: String, _ percent: Int) async {
        do {
            try await postgres.query(
                """
                INSERT INTO numbering_progress (run_id, phase, percent) VALUES (\(run), \(phase), \(percent))
                ON CONFLICT (run_id) DO UPDATE SET phase = excluded.phase, percent = excluded.percent, updated_at = clock_timestamp()
                """, logger: logger)
        } catch {
            logger.warning("numbering progress not written", metadata: ["run": "\(run)", "error": "\(String(reflecting: error))"])
        }
    }

    /// The rules the run used, recorded with it: seats per room, the remainder rule, the groups
    /// and the scope rules, in a stable order.
    static func recorded(_ inputs: NumberingInputs) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(NumberingInputs.Recorded(examination: inputs.examination, scopeRules: inputs.scopeRules)), as: UTF8.self)
    }

    static func inputs(year: Int, on connection: PostgresConnection, logger: Logger) async throws -> NumberingInputs {
        var inputs = NumberingInputs(examination: nil, scopeRules: [], capacity: [:])
        if let text = try await connection.query("SELECT (document->'examination')::text FROM exam_year WHERE year = \(year)", logger: logger)
            .decode(String?.self).first(where: { _ in true }) ?? nil
        {
            inputs.examination = try JSONDecoder().decode(NumberingInputs.Examination.self, from: Data(text.utf8))
        }
        for try await (county, group, district) in try await connection.query(
            "SELECT county_id, exam_group, district_code FROM exam_scope_rule WHERE year = \(year) ORDER BY county_id, exam_group", logger: logger
        ).decode((String, String, String).self) {
            inputs.scopeRules.append(.init(countyID: county, examGroup: group, districtCode: district))
        }
        for try await (district, rooms, seats) in try await connection.query(
            """
            SELECT district_code, sum(rooms)::int, sum(rooms * seats_per_room)::int FROM exam_site
            WHERE status = 'approved' AND NOT closed GROUP BY district_code
            """, logger: logger
        ).decode((String, Int, Int).self) {
            inputs.capacity[district] = .init(rooms: rooms, seats: seats)
        }
        return inputs
    }

    /// Every paid, non-exempt candidate of the year (`exam_roster`, Review's view).
    static func roster(year: Int, on connection: PostgresConnection, logger: Logger) async throws -> [RosterEntry] {
        var roster: [RosterEntry] = []
        for try await (id, number, county, level, category) in try await connection.query(
            """
            SELECT candidate_id, candidate_number, county_id, coalesce(level, ''), coalesce(subject_category, '')
            FROM exam_roster WHERE year = \(year)
            """, logger: logger
        ).decode((Int64, String, String, String, String).self) {
            roster.append(RosterEntry(id: id, number: number, kind: .init(countyID: county, level: level, subjectCategory: category)))
        }
        return roster
    }
}
