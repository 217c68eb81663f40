import Access
import Foundation
import Logging
import PostgresNIO

/// Writes the province's imports of scores and admissions for the current year, each with the
/// candidates it names checked against the year's confirmed candidates.
struct ExamResultStore: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    func currentYear() async throws -> Int? {
        try await postgres.query("SELECT year FROM exam_year WHERE current", logger: logger).decode(Int.self).first { _ in true }
    }

    /// The year's candidates by candidate number: id, status and counted bonus.
    func candidates(_ numbers: [String], year: Int) async throws -> [String: (id: Int64, status: String, bonus: Int)] {
        var found: [String: (id: Int64, status: String, bonus: Int)] = [:]
        for try await (number, id, status, bonus) in try await postgres.query(
            """
            SELECT k.candidate_number, a.id, a.status, coalesce(b.points, 0)
            FROM candidate_confirmation k JOIN candidate_account a ON a.id = k.candidate_id
            LEFT JOIN counted_bonus b ON b.candidate_id = a.id AND b.year = k.year
            WHERE k.year = \(year) AND k.candidate_number = ANY(\(numbers))
            """, logger: logger
        ).decode((String, Int64, String, Int).self) {
            found[number] = (id, status, bonus)
        }
        return found
    }

    /// Which of the numbers have a score this year.
    func scored(_ numbers: [String], year: Int) async throws -> Set<String> {
        try await postgres.query(
            "SELECT candidate_number FROM exam_result WHERE year = \(year) AND candidate_number = ANY(\(numbers))", logger: logger
        ).decode(String.self).reduce(into: Set<String>()) { $0.insert($1) }
    }

    /// Records the import and writes its accepted rows (a candidate imported again is replaced).
    func importScores(_ rows: [(candidateID: Int64, scores: ResultRows.Scores, bonus: Int)], year: Int, total: Int, by member: StaffMember, clientAddress: String)
        async throws
    {
        let json = try rows.map { String(decoding: try JSONEncoder().encode($0.scores.scores), as: UTF8.self) }
        try await postgres.withTransaction(logger: logger) { connection in
            let importID = try await record("scores", year: year, total: total, imported: rows.count, by: member, clientAddress: clientAddress, on: connection)
            try await connection.query(
                """
                INSERT INTO exam_result (year, candidate_number, candidate_id, scores, total, bonus, archive_score, import_id)
                SELECT \(year), n, c, s::jsonb, t, b, t + b, \(importID)
                FROM unnest(\(rows.map(\.scores.candidateNumber))::text[], \(rows.map(\.candidateID))::int8[], \(json)::text[],
                            \(rows.map(\.scores.total))::float8[], \(rows.map(\.bonus))::int[]) AS x(n, c, s, t, b)
                ON CONFLICT (year, candidate_number) DO UPDATE
                SET scores = excluded.scores, total = excluded.total, bonus = excluded.bonus, archive_score = excluded.archive_score, import_id = excluded.import_id
                """, logger: logger)
        }
    }

    func importAdmissions(_ rows: [(candidateID: Int64, admission: ResultRows.Admission)], year: Int, total: Int, by member: StaffMember, clientAddress: String)
        async throws
    {
        try await postgres.withTransaction(logger: logger) { connection in
            let importID = try await record("admissions", year: year, total: total, imported: rows.count, by: member, clientAddress: clientAddress, on: connection)
            try await connection.query(
                """
                INSERT INTO admission_record (year, candidate_number, candidate_id, institution_code, institution_name, major_code, major_name, integrity, import_id)
                SELECT \(year), *, \(importID)
                FROM unnest(\(rows.map(\.admission.candidateNumber))::text[], \(rows.map(\.candidateID))::int8[], \(rows.map(\.admission.institutionCode))::text[],
                            \(rows.map(\.admission.institutionName))::text[], \(rows.map(\.admission.majorCode))::text[], \(rows.map(\.admission.majorName))::text[],
                            \(rows.map(\.admission.integrity))::text[])
                ON CONFLICT (year, candidate_number) DO UPDATE
                SET institution_code = excluded.institution_code, institution_name = excluded.institution_name, major_code = excluded.major_code,
                    major_name = excluded.major_name, integrity = excluded.integrity, import_id = excluded.import_id
                """, logger: logger)
        }
    }

    private func record(_ kind: String, year: Int, total: Int, imported: Int, by member: StaffMember, clientAddress: String, on connection: PostgresConnection)
        async throws -> Int64
    {
        let id = try await connection.query(
            """
            INSERT INTO result_import (year, kind, rows, imported, refused, imported_by) VALUES (\(year), \(kind), \(total), \(imported), \(total - imported), \(member.id))
            RETURNING id
            """, logger: logger
        ).decode(Int64.self).first { _ in true } ?? 0
        try await AuditLog.record(
            .staff(member), action: "exam_result.import_\(kind)", target: .init(kind: "result_import", id: String(id)), clientAddress: clientAddress, on: connection,
            logger: logger)
        return id
    }
}
