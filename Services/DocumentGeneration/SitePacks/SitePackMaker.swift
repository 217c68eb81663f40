import Access
import Contracts
import Foundation
import Logging
import Messaging
import NIOPosix
import PostgresNIO
import ZIPFoundation

/// A site's materials (考点材料): per room its door sheet (考场门贴), seat labels (桌贴) and a
/// sign-in sheet per session with photos (签到表), drawn one room per message so that every
/// worker takes a share; the worker that draws a pack's last room stores the pack, a ZIP of the
/// rooms' PDFs and the site summary. A redelivered room finds itself made and does nothing, so
/// every room is drawn once however often workers die.
struct SitePackMaker: Sendable {
    let cipher: PersonalDataCipher
    let files: DocumentFiles

    struct Seat: Sendable {
        let candidateID: Int64
        let ticket: String
        let name: String
        let group: String
        var seat: String { String(ticket.suffix(2)) }
    }

    struct Room: Sendable {
        let district: String
        let number: Int
        let groups: [String]
        var label: String { String(format: "%03d", number) }
    }

    struct Pack: Sendable {
        let id: UUID
        let run: UUID
        let year: Int
        let siteID: String
        let siteName: String
        let address: String
        let district: String
    }

    func pack(_ id: UUID, on connection: PostgresConnection, logger: Logger) async throws -> Pack? {
        try await connection.query(
            """
            SELECT p.run_id, r.year, s.id, s.name, s.address, s.district_code || ' ' || d.name
            FROM site_pack p JOIN numbering_run r ON r.id = p.run_id JOIN exam_site s ON s.id = p.site_id JOIN exam_district d ON d.code = s.district_code
            WHERE p.id = \(id)
            """, logger: logger
        ).decode((UUID, Int, String, String, String, String).self).first { _ in true }.map {
            Pack(id: id, run: $0.0, year: $0.1, siteID: $0.2, siteName: $0.3, address: $0.4, district: $0.5)
        }
    }

    /// Draws the room unless it is drawn already, then stores the pack if it was the last room.
    func make(_ due: SitePackRoomDue, on connection: PostgresConnection, logger: Logger) async throws {
        let open = try await connection.query(
            """
            SELECT made_at IS NULL FROM site_pack_room WHERE pack_id = \(due.packID) AND district_code = \(due.districtCode) AND room = \(due.room) FOR UPDATE
            """, logger: logger
        ).decode(Bool.self).first { _ in true }
        guard open == true, let pack = try await pack(due.packID, on: connection, logger: logger) else { return }
        let examination = try await YearExamination.of(year: pack.year, on: connection, logger: logger)
        let layouts = try await LayoutBook.of(year: pack.year, on: connection, logger: logger)
        guard let groups = try await connection.query(
            "SELECT groups FROM exam_room WHERE run_id = \(pack.run) AND district_code = \(due.districtCode) AND room = \(due.room)", logger: logger
        ).decode([String].self).first(where: { _ in true }) else { return }
        let room = Room(district: due.districtCode, number: due.room, groups: groups)
        var seats: [Seat] = []
        var photos: [String: DocumentContent.Photo] = [:]
        for try await (candidateID, ticket, name, printed, sealed, keyID) in try await connection.query(
            """
            SELECT t.candidate_id, t.ticket, a.name, f.print_jpeg_sealed, f.jpeg_sealed, f.key_id
            FROM admission_ticket t JOIN candidate_account a ON a.id = t.candidate_id LEFT JOIN candidate_photo f ON f.candidate_id = t.candidate_id
            WHERE t.run_id = \(pack.run) AND left(t.ticket, 4) = \(due.districtCode) AND substr(t.ticket, 7, 3)::int = \(due.room)
            ORDER BY t.ticket
            """, logger: logger
        ).decode((Int64, String, String, ByteBuffer?, ByteBuffer?, String?).self) {
            seats.append(Seat(candidateID: candidateID, ticket: ticket, name: name, group: String(ticket.dropFirst(4).prefix(2))))
            photos[String(candidateID)] = try .sealed(print: printed, original: sealed, keyID: keyID, candidateID: candidateID, cipher: cipher)
        }
        let files = self.files
        let subject = "\(pack.id.uuidString.lowercased())-\(room.district)-\(room.label)"
        let (found, prepared) = (seats, photos)
        let stored = try await NIOThreadPool.singleton.runIfActive {
            // Each photo shrunk once, though it appears on every session's sheet.
            let photos = try DocumentContent(photos: prepared).printSized().photos
            let sections = Self.roomSections(pack: pack, room: room, seats: found, photos: photos, examination: examination, layouts: layouts)
            return try files.write(DocumentRenderer.render(sections, title: "考场材料"), kind: .sitePack, subject: subject, version: 1, candidateID: nil)
        }
        try await DocumentFiles.index([stored], on: connection, logger: logger)
        try await connection.query(
            """
            UPDATE site_pack_room SET made_at = now(), file = \(stored.file), pages = \(stored.pages)
            WHERE pack_id = \(pack.id) AND district_code = \(due.districtCode) AND room = \(due.room)
            """, logger: logger)
        // The pack row is locked only now, after drawing: rooms draw in parallel, and whoever
        // counts last (seeing every other room's commit) stores the pack.
        _ = try await connection.query("SELECT 1 FROM site_pack WHERE id = \(pack.id) FOR UPDATE", logger: logger)
        let remaining = try await connection.query(
            "SELECT count(*) FROM site_pack_room WHERE pack_id = \(pack.id) AND made_at IS NULL", logger: logger
        ).decode(Int.self).first { _ in true } ?? 0
        if remaining == 0 { try await assemble(pack, examination: examination, layouts: layouts, on: connection, logger: logger) }
    }

    /// The summary and the ZIP of every room's file.
    private func assemble(_ pack: Pack, examination: YearExamination, layouts: LayoutBook, on connection: PostgresConnection, logger: Logger) async throws {
        var rooms: [(room: Room, file: String, count: Int, first: String, last: String)] = []
        for try await (district, number, groups, file, count, first, last) in try await connection.query(
            """
            SELECT p.district_code, p.room, m.groups, p.file, count(t.ticket)::int, min(t.ticket), max(t.ticket)
            FROM site_pack_room p JOIN site_pack k ON k.id = p.pack_id
            JOIN exam_room m ON m.run_id = k.run_id AND m.district_code = p.district_code AND m.room = p.room
            LEFT JOIN admission_ticket t ON t.run_id = k.run_id AND left(t.ticket, 4) = p.district_code AND substr(t.ticket, 7, 3)::int = p.room
            WHERE p.pack_id = \(pack.id)
            GROUP BY p.district_code, p.room, m.groups, p.file ORDER BY p.district_code, p.room
            """, logger: logger
        ).decode((String, Int, [String], String, Int, String?, String?).self) {
            rooms.append((Room(district: district, number: number, groups: groups), file, count, first ?? "", last ?? ""))
        }
        var summary = DocumentContent()
        summary.values = [
            "year": String(pack.year), "site": pack.siteName, "siteID": pack.siteID, "siteAddress": pack.address, "district": pack.district,
            "rooms": String(rooms.count), "candidates": String(rooms.reduce(0) { $0 + $1.count }),
        ]
        summary.lists["rooms"] = rooms.map {
            ["room": "\($0.room.district)-\($0.room.label)", "groups": Self.groupNames($0.room.groups, examination), "range": "\($0.first)–\($0.last)", "count": String($0.count)]
        }
        summary.lists["sessions"] = Self.sessions(of: Set(rooms.flatMap(\.room.groups)), examination).map { session in
            ["date": session.date, "time": session.time, "subjects": session.subjects.map { "\($0.group) \($0.paper)" }.joined(separator: "；")]
        }
        let layout = layouts[.siteSummary]
        let files = self.files
        let subject = pack.id.uuidString.lowercased()
        let roomFiles = rooms.map { ("room-\($0.room.district)-\($0.room.label).pdf", $0.file) }
        let content = summary
        let stored = try await NIOThreadPool.singleton.runIfActive {
            let summaryPDF = try DocumentRenderer.render([.init(layout: layout, content: content)], title: "考点汇总")
            let archive = try Archive(data: Data(), accessMode: .create)
            for (name, bytes) in [("summary.pdf", summaryPDF.pdf)] + (try roomFiles.map { ($0.0, try files.read($0.1)) }) {
                let data = Data(bytes)
                try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .none) { position, size in
                    data.subdata(in: Int(position)..<Int(position) + size)
                }
            }
            let zip = RenderedDocument(pdf: Array(archive.data ?? Data()), pages: summaryPDF.pages, missingGlyphs: summaryPDF.missingGlyphs)
            return try files.write(zip, kind: .sitePack, subject: subject, version: 1, candidateID: nil, extension: "zip")
        }
        try await DocumentFiles.index([stored], on: connection, logger: logger)
        try await connection.query("UPDATE site_pack SET made_at = now() WHERE id = \(pack.id)", logger: logger)
    }

    static func groupNames(_ codes: [String], _ examination: YearExamination) -> String {
        codes.map { code in examination.group(code).map { "\(code) \($0.name)" } ?? code }.joined(separator: "、")
    }

    /// The sessions (papers starting together) of the groups, in time order, with each group's paper.
    static func sessions(of groups: Set<String>, _ examination: YearExamination) -> [(date: String, time: String, starts: Date, subjects: [(group: String, paper: String)])] {
        var sessions: [Date: (date: String, time: String, subjects: [(group: String, paper: String)])] = [:]
        for group in examination.groups where groups.contains(group.code) {
            for paper in group.papers {
                let printed = PrintedTime.paper(paper)
                sessions[paper.starts, default: (printed["date"]!, printed["time"]!, [])].subjects.append((group.code, paper.name))
            }
        }
        return sessions.keys.sorted().map { (sessions[$0]!.date, sessions[$0]!.time, $0, sessions[$0]!.subjects) }
    }

    /// One room's pages: the door sheet, the seat labels, then a sign-in sheet per session.
    static func roomSections(
        pack: Pack, room: Room, seats: [Seat], photos: [String: DocumentContent.Photo], examination: YearExamination, layouts: LayoutBook
    ) -> [DocumentRenderer.Section] {
        let common = [
            "year": String(pack.year), "site": pack.siteName, "district": pack.district, "room": room.label,
            "groups": groupNames(room.groups, examination), "range": "\(seats.first?.ticket ?? "")–\(seats.last?.ticket ?? "")", "count": String(seats.count),
        ]
        var door = DocumentContent(values: common)
        door.lists["seats"] = seats.map { ["seat": $0.seat, "ticket": $0.ticket, "name": $0.name] }
        var labels = DocumentContent(values: common)
        labels.lists["labels"] = seats.map { ["seat": $0.seat, "ticket": $0.ticket, "name": $0.name] }
        var sections: [DocumentRenderer.Section] = [.init(layout: layouts[.doorSheet], content: door), .init(layout: layouts[.seatLabels], content: labels)]
        for session in sessions(of: Set(room.groups), examination) {
            let papers = Dictionary(session.subjects.map { ($0.group, $0.paper) }, uniquingKeysWith: { first, _ in first })
            var sheet = DocumentContent(values: common.merging(["date": session.date, "time": session.time, "subject": papers.values.sorted().joined(separator: "、")]) { $1 })
            sheet.lists["candidates"] = seats.filter { papers[$0.group] != nil }.map {
                ["seat": $0.seat, "ticket": $0.ticket, "name": $0.name, "photo": String($0.candidateID), "subject": papers[$0.group] ?? ""]
            }
            sheet.photos = photos
            sections.append(.init(layout: layouts[.signInSheet], content: sheet))
        }
        return sections
    }
}
