import Access
import Foundation
import Logging
import NIOPosix
import PostgresNIO

/// Draws and stores admission tickets (准考证): the worker for its batches, the API for a
/// candidate whose ticket is not made yet (made on demand, then served from the file).
struct AdmissionTicketMaker: Sendable {
    let cipher: PersonalDataCipher
    let files: DocumentFiles
    let signingKey: DocumentSettings.SigningKey

    /// One candidate's ticket as drawn: what the page shows.
    struct Ticket: Sendable {
        let candidateID: Int64
        let version: Int
        let content: DocumentContent
    }

    /// Makes the tickets still due among `candidates` of `run`, in the caller's transaction: the
    /// due rows are locked, so a ticket made meanwhile (by the API, or another worker) is skipped.
    /// Returns the files made.
    @discardableResult
    func make(run: UUID, candidates: [Int64], on connection: PostgresConnection, logger: Logger) async throws -> [DocumentFiles.Stored] {
        guard let year = try await connection.query("SELECT year FROM numbering_run WHERE id = \(run)", logger: logger).decode(Int.self).first(where: { _ in true })
        else { return [] }
        let examination = try await YearExamination.of(year: year, on: connection, logger: logger)
        let layouts = try await LayoutBook.of(year: year, on: connection, logger: logger)
        var tickets: [Ticket] = []
        for try await row in try await connection.query(
            """
            SELECT d.candidate_id, d.version, t.ticket, c.candidate_number, a.name, a.document_number_masked,
                   s.id, s.name, s.address, m.district_code, x.name, f.print_jpeg_sealed, f.jpeg_sealed, f.key_id, to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')
            FROM admission_ticket_document d
            JOIN admission_ticket t ON t.run_id = d.run_id AND t.candidate_id = d.candidate_id
            JOIN candidate_confirmation c ON c.candidate_id = d.candidate_id
            JOIN candidate_account a ON a.id = d.candidate_id
            JOIN exam_room m ON m.run_id = t.run_id AND m.district_code = left(t.ticket, 4) AND m.room = substr(t.ticket, 7, 3)::int
            JOIN exam_site s ON s.id = m.site_id
            JOIN exam_district x ON x.code = m.district_code
            LEFT JOIN candidate_photo f ON f.candidate_id = d.candidate_id
            WHERE d.run_id = \(run) AND d.candidate_id = ANY(\(candidates)) AND d.made_at IS NULL
            ORDER BY d.candidate_id
            FOR UPDATE OF d
            """, logger: logger
        ).decode((Int64, Int, String, String, String, String, String, String, String, String, String, ByteBuffer?, ByteBuffer?, String?, String).self) {
            let (candidateID, version, ticket, candidateNumber, name, documentNumber, site, siteName, address, district, districtName, printPhoto, sealedPhoto, photoKey, today) = row
            let groupCode = String(ticket.dropFirst(4).prefix(2))
            let group = examination.group(groupCode)
            let room = String(ticket.dropFirst(6).prefix(3))
            let seat = String(ticket.suffix(2))
            let code = try TicketCode(year: year, ticket: ticket, candidateNumber: candidateNumber, site: site, room: room, seat: seat, name: name)
                .signed(with: signingKey)
            var content = DocumentContent()
            content.values = [
                "year": String(year), "name": name, "ticket": ticket, "candidateNumber": candidateNumber, "documentNumber": documentNumber,
                "group": group.map { "\($0.code) \($0.name)" } ?? groupCode, "site": siteName, "siteAddress": address, "room": room, "seat": seat,
                "district": "\(district) \(districtName)", "rules": examination.candidateRules ?? "", "qr": code, "keyID": signingKey.id,
                "version": String(version), "madeAt": today,
            ]
            content.lists["papers"] = (group?.papers ?? []).map(PrintedTime.paper)
            content.photos["photo"] = try .sealed(print: printPhoto, original: sealedPhoto, keyID: photoKey, candidateID: candidateID, cipher: cipher)
            tickets.append(Ticket(candidateID: candidateID, version: version, content: content))
        }
        guard !tickets.isEmpty else { return [] }
        let layout = layouts[.admissionTicket]
        let files = self.files
        let due = tickets
        // Drawing and writing take a core each: NIO's blocking pool, never the event loops.
        let stored = try await NIOThreadPool.singleton.runIfActive {
            try due.map { ticket in
                let document = try DocumentRenderer.render([.init(layout: layout, content: try ticket.content.printSized())], title: "准考证")
                return try files.write(document, kind: .admissionTicket, subject: String(ticket.candidateID), version: ticket.version, candidateID: ticket.candidateID)
            }
        }
        try await DocumentFiles.index(stored, on: connection, logger: logger)
        try await connection.query(
            """
            UPDATE admission_ticket_document d SET made_at = now()
            FROM unnest(\(stored.map { Int64($0.subject)! })::int8[], \(stored.map(\.version))::int[]) AS m(candidate_id, version)
            WHERE d.run_id = \(run) AND d.candidate_id = m.candidate_id AND d.version = m.version
            """, logger: logger)
        return stored
    }
}
