import Foundation
import Logging
import PostgresNIO

/// Where a candidate's admission ticket stands: the published run of the current year, the
/// version due, and its file once made.
struct AdmissionTicketStore: Sendable {
    let postgres: PostgresClient
    let logger: Logger
    let maker: AdmissionTicketMaker

    enum Found: Sendable {
        /// Not published yet (or the candidate has no seat in it).
        case unpublished
        case file(String, year: Int)
    }

    /// The file of the candidate's current version, made now if the workers have not got to it.
    func ticket(of candidateID: Int64) async throws -> Found {
        guard let (run, year, made) = try await postgres.query(
            """
            SELECT d.run_id, r.year, d.made_at IS NOT NULL
            FROM admission_ticket_document d JOIN numbering_run r ON r.id = d.run_id AND r.published_at IS NOT NULL
            JOIN exam_year y ON y.year = r.year AND y.current
            WHERE d.candidate_id = \(candidateID)
            """, logger: logger
        ).decode((UUID, Int, Bool).self).first(where: { _ in true }) else { return .unpublished }
        if !made {
            try await postgres.withTransaction(logger: logger) { connection in
                _ = try await maker.make(run: run, candidates: [candidateID], on: connection, logger: logger)
            }
        }
        guard let file = try await postgres.query(
            """
            SELECT f.file FROM admission_ticket_document d
            JOIN stored_document f ON f.kind = 'admission_ticket' AND f.subject = d.candidate_id::text AND f.version = d.version
            WHERE d.run_id = \(run) AND d.candidate_id = \(candidateID)
            """, logger: logger
        ).decode(String.self).first(where: { _ in true }) else { return .unpublished }
        return .file(file, year: year)
    }

    struct Progress: Codable, Sendable {
        let runID: UUID
        /// Tickets of the published run (each candidate's latest version).
        let tickets: Int
        let made: Int
        let percent: Int
    }

    /// The current year's published run: how many of its tickets are made.
    func progress() async throws -> Progress? {
        try await postgres.query(
            """
            SELECT r.id, count(d.candidate_id)::int, count(d.made_at)::int
            FROM numbering_run r JOIN exam_year y ON y.year = r.year AND y.current
            LEFT JOIN admission_ticket_document d ON d.run_id = r.id
            WHERE r.published_at IS NOT NULL GROUP BY r.id
            """, logger: logger
        ).decode((UUID, Int, Int).self).first { _ in true }.map { run, tickets, made in
            Progress(runID: run, tickets: tickets, made: made, percent: tickets == 0 ? 0 : made * 100 / tickets)
        }
    }

    /// The candidate's scope path (their point), for staff who print their ticket.
    func scopePath(of candidateID: Int64) async throws -> String? {
        try await postgres.query("SELECT path::text FROM candidate_scope WHERE candidate_id = \(candidateID)", logger: logger)
            .decode(String.self).first { _ in true }
    }
}
