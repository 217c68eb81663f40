import Access
import Foundation
import Logging
import NIOPosix
import PostgresNIO

/// The registration records (考生登记表) of one institution's admitted candidates, one page each
/// in candidate-number order, for the institution's archive: all four information groups, the
/// photo, the bonus, the scores, the admission and the integrity record. Made once per version
/// of the data (the latest import touching the institution's candidates), then served.
struct RegistrationRecordMaker: Sendable {
    let cipher: PersonalDataCipher
    let files: DocumentFiles

    enum Made: Sendable {
        case none
        case file(String)
    }

    func make(year: Int, institution: String, on connection: PostgresConnection, logger: Logger) async throws -> Made {
        let subject = "\(year)-\(institution)"
        guard let version = try await connection.query(
            """
            SELECT max(greatest(a.import_id, coalesce(r.import_id, 0)))::int8 FROM admission_record a
            LEFT JOIN exam_result r ON r.year = a.year AND r.candidate_number = a.candidate_number
            WHERE a.year = \(year) AND a.institution_code = \(institution)
            """, logger: logger
        ).decode(Int64?.self).first(where: { _ in true }) ?? nil else { return .none }
        // One drawing per version at a time: two staff asking at once get the same file.
        try await connection.query("SELECT pg_advisory_xact_lock(hashtext('registration_record'), hashtext(\(subject)))", logger: logger)
        if let file = try await connection.query(
            "SELECT file FROM stored_document WHERE kind = 'registration_record' AND subject = \(subject) AND version = \(Int(version))", logger: logger
        ).decode(String.self).first(where: { _ in true }) { return .file(file) }

        var admitted: [(id: Int64, number: String, institution: String, major: String, integrity: String, scores: String?, total: String, bonus: Int, archive: String, ticket: String?)] = []
        for try await row in try await connection.query(
            """
            SELECT a.candidate_id, a.candidate_number, a.institution_code || ' ' || a.institution_name, a.major_code || ' ' || a.major_name, a.integrity,
                   r.scores::text, coalesce(r.total::text, ''), coalesce(r.bonus, 0), coalesce(r.archive_score::text, ''),
                   (SELECT t.ticket FROM admission_ticket t JOIN numbering_run n ON n.id = t.run_id AND n.published_at IS NOT NULL AND n.year = a.year
                    WHERE t.candidate_id = a.candidate_id)
            FROM admission_record a LEFT JOIN exam_result r ON r.year = a.year AND r.candidate_number = a.candidate_number
            WHERE a.year = \(year) AND a.institution_code = \(institution)
            ORDER BY a.candidate_number
            """, logger: logger
        ).decode((Int64, String, String, String, String, String?, String, Int, String, String?).self) {
            admitted.append((row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8, row.9))
        }
        let layout = try await LayoutBook.of(year: year, on: connection, logger: logger)[.registrationRecord]
        let today = PrintedTime.date(Date())
        var contents: [DocumentContent] = []
        for candidate in admitted {
            guard let particulars = try await CandidateParticulars.read(candidate.id, cipher: cipher, on: connection, logger: logger) else { continue }
            var content = DocumentContent()
            let scores = (try? JSONDecoder().decode([ResultRows.Score].self, from: Data((candidate.scores ?? "[]").utf8))) ?? []
            content.values = particulars.values.merging([
                "year": String(year), "documentNumber": particulars.fullDocumentNumber, "ticket": candidate.ticket ?? (particulars.status == "exempt" ? "免试" : "无"),
                "choices": particulars.choices.map { "\($0["order"] ?? "")：\($0["institution"] ?? "") \($0["major"] ?? "")（\($0["level"] ?? "")）" }
                    .joined(separator: "；"),
                "bonus": String(candidate.bonus), "total": candidate.scores == nil ? "免试" : candidate.total, "archiveScore": candidate.archive,
                "institution": candidate.institution, "major": candidate.major, "integrity": candidate.integrity, "madeAt": today,
            ]) { $1 }
            content.lists["scores"] = scores.map { ["subject": $0.subject, "score": String(format: "%.1f", $0.score)] }
            content.photos["photo"] = particulars.photo
            contents.append(content)
        }
        guard !contents.isEmpty else { return .none }
        let files = self.files
        let prepared = contents
        let stored = try await NIOThreadPool.singleton.runIfActive {
            let sections = try prepared.map { DocumentRenderer.Section(layout: layout, content: try $0.printSized()) }
            return try files.write(DocumentRenderer.render(sections, title: "考生登记表"), kind: .registrationRecord, subject: subject, version: Int(version), candidateID: nil)
        }
        try await DocumentFiles.index([stored], on: connection, logger: logger)
        return .file(stored.file)
    }
}
