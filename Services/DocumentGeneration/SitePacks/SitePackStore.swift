import Access
import Contracts
import Foundation
import Logging
import Messaging
import PostgresNIO

/// Site packs asked for and how far they are.
struct SitePackStore: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    /// The scope path of the county that proposed the site: its officers (and those above) ask.
    func sitePath(_ siteID: String) async throws -> String? {
        try await postgres.query(
            "SELECT n.path::text FROM exam_site s JOIN organisation_node n ON n.id = s.county_id WHERE s.id = \(siteID)", logger: logger
        ).decode(String.self).first { _ in true }
    }

    struct Progress: Codable, Sendable {
        let id: UUID
        let siteID: String
        let rooms: Int
        let roomsMade: Int
        /// `queued`, `drawing` (some rooms made) or `done` (the pack can be downloaded).
        let status: String
        let requestedAt: Date
    }

    enum Requested: Sendable {
        case unpublished
        case noRooms
        /// A pack of the same data exists (no correction since): it is answered instead.
        case existing(UUID)
        case queued(UUID)
    }

    /// A new pack for the site in the current year's published arrangement, unless one asked
    /// for since the arrangement's last correction exists.
    func request(site: String, by member: StaffMember, clientAddress: String) async throws -> Requested {
        try await postgres.withTransaction(logger: logger) { connection -> Requested in
            guard let run = try await connection.query(
                """
                SELECT r.id FROM numbering_run r JOIN exam_year y ON y.year = r.year AND y.current WHERE r.published_at IS NOT NULL
                """, logger: logger
            ).decode(UUID.self).first(where: { _ in true }) else { return .unpublished }
            // One request at a time per site: two clicks make one pack.
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext('site_pack'), hashtext(\(site)))", logger: logger)
            if let existing = try await connection.query(
                """
                SELECT p.id FROM site_pack p WHERE p.run_id = \(run) AND p.site_id = \(site)
                AND p.requested_at > coalesce((SELECT max(made_at) FROM arrangement_correction WHERE run_id = \(run)), '-infinity')
                ORDER BY p.requested_at DESC LIMIT 1
                """, logger: logger
            ).decode(UUID.self).first(where: { _ in true }) { return .existing(existing) }
            let rooms = try await connection.query(
                "SELECT district_code, room FROM exam_room WHERE run_id = \(run) AND site_id = \(site) ORDER BY district_code, room", logger: logger
            ).decode((String, Int).self).reduce(into: [(String, Int)]()) { $0.append($1) }
            guard !rooms.isEmpty else { return .noRooms }
            let id = UUID()
            try await connection.query(
                "INSERT INTO site_pack (id, run_id, site_id, requested_by, rooms) VALUES (\(id), \(run), \(site), \(member.id), \(rooms.count))", logger: logger)
            try await connection.query(
                """
                INSERT INTO site_pack_room (pack_id, district_code, room)
                SELECT \(id), * FROM unnest(\(rooms.map(\.0))::text[], \(rooms.map(\.1))::int[])
                """, logger: logger)
            try await Outbox.append(
                try rooms.map {
                    try OutboxEvent(
                        Envelope(event: SitePackRoomDue(packID: id, districtCode: $0.0, room: $0.1)), aggregateID: "site-pack-\(id)",
                        routingKey: SitePackRoomDue.routingKey)
                }, in: connection, logger: logger)
            try await AuditLog.record(
                .staff(member), action: "site_pack.request", target: .init(kind: "exam_site", id: site), clientAddress: clientAddress, on: connection, logger: logger)
            return .queued(id)
        }
    }

    func progress(_ id: UUID) async throws -> (progress: Progress, file: String?)? {
        try await postgres.query(
            """
            SELECT p.site_id, p.rooms, (SELECT count(*)::int FROM site_pack_room r WHERE r.pack_id = p.id AND r.made_at IS NOT NULL), p.made_at IS NOT NULL,
                   p.requested_at, f.file
            FROM site_pack p LEFT JOIN stored_document f ON f.kind = 'site_pack' AND f.subject = p.id::text
            WHERE p.id = \(id)
            """, logger: logger
        ).decode((String, Int, Int, Bool, Date, String?).self).first { _ in true }.map { site, rooms, made, done, at, file in
            (Progress(id: id, siteID: site, rooms: rooms, roomsMade: made, status: done ? "done" : made > 0 ? "drawing" : "queued", requestedAt: at), file)
        }
    }
}
