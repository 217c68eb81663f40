import Access
import Contracts
import Foundation
import Logging
import Messaging
import PostgresNIO
import ServiceRuntime

/// Publication freezes a numbering run with its rooms' sites and tells the document service;
/// afterwards only corrections change it, each audited, recorded and announced for the
/// candidates it touches, and none changes anyone else's number.
struct PublicationStore: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    enum Refusal: Error, Equatable {
        case notFound
        case notLatest
        case published
        case allocations(Int)
        case room(String)
        case site(String)
    }

    func publish(_ run: UUID, by member: StaffMember, clientAddress: String) async throws -> Refusal? {
        try await postgres.withTransaction(logger: logger) { connection -> Refusal? in
            guard let (year, status, published, digest) = try await connection.query(
                "SELECT year, status, published_at IS NOT NULL, coalesce(digest, '') FROM numbering_run WHERE id = \(run) FOR UPDATE", logger: logger
            ).decode((Int, String, Bool, String).self).first(where: { _ in true }) else { return .notFound }
            if published { return .published }
            // Only the year's latest finished run has its rooms (earlier runs lost their output).
            let latest = try await connection.query(
                "SELECT id FROM numbering_run WHERE year = \(year) AND status = 'done' ORDER BY finished_at DESC LIMIT 1", logger: logger
            ).decode(UUID.self).first { _ in true }
            guard status == "done", latest == run else { return .notLatest }
            let open = try await connection.query(
                "SELECT count(*)::int FROM room_allocation WHERE run_id = \(run) AND status <> 'accepted'", logger: logger
            ).decode(Int.self).first { _ in true } ?? 0
            if open > 0 { return .allocations(open) }
            try await connection.query("UPDATE numbering_run SET published_at = now(), published_by = \(member.id) WHERE id = \(run)", logger: logger)
            try await Outbox.append(
                [try OutboxEvent(Envelope(event: ArrangementPublished(runID: run, year: year, digest: digest)), aggregateID: "numbering-\(year)", routingKey: ArrangementPublished.routingKey)],
                in: connection, logger: logger)
            try await AuditLog.record(
                .staff(member), action: "numbering.publish", target: .init(kind: "numbering_run", id: run.uuidString), clientAddress: clientAddress,
                on: connection, logger: logger)
            return nil
        }
    }

    /// The published run of the current year, if any.
    func publishedRun() async throws -> UUID? {
        try await postgres.query(
            "SELECT r.id FROM numbering_run r JOIN exam_year y ON y.year = r.year AND y.current WHERE r.published_at IS NOT NULL", logger: logger
        ).decode(UUID.self).first { _ in true }
    }

    /// The candidate's ticket in the published run: its district comes first in the number.
    func ticket(run: UUID, candidateNumber: String) async throws -> (candidateID: Int64, ticket: String)? {
        let row = try await postgres.query(
            """
            SELECT t.candidate_id, t.ticket FROM admission_ticket t JOIN candidate_confirmation c ON c.candidate_id = t.candidate_id
            WHERE t.run_id = \(run) AND c.candidate_number = \(candidateNumber)
            """, logger: logger
        ).decode((Int64, String).self).first { _ in true }
        return row.map { (candidateID: $0.0, ticket: $0.1) }
    }

    /// Where the candidate sits in the current year's published run, with the district and site.
    func seat(of candidate: Int64) async throws -> (ticket: String, number: String, district: String, districtName: String, site: String, address: String)? {
        let row = try await postgres.query(
            """
            SELECT t.ticket, c.candidate_number, d.code, d.name, s.name, s.address
            FROM numbering_run r JOIN exam_year y ON y.year = r.year AND y.current
            JOIN admission_ticket t ON t.run_id = r.id AND t.candidate_id = \(candidate)
            JOIN candidate_confirmation c ON c.candidate_id = t.candidate_id
            JOIN exam_district d ON d.code = left(t.ticket, 4)
            JOIN exam_room m ON m.run_id = r.id AND m.district_code = d.code AND m.room = substr(t.ticket, 7, 3)::int
            JOIN exam_site s ON s.id = m.site_id
            WHERE r.published_at IS NOT NULL
            """, logger: logger
        ).decode((String, String, String, String, String, String).self).first { _ in true }
        return row.map { ($0.0, $0.1, $0.2, $0.3, $0.4, $0.5) }
    }

    /// Where a moved candidate goes: the next seat of an existing room of their group, or the first
    /// seat of a new room (the district's next number) at a site with a room to spare.
    enum Destination: Sendable {
        case room(Int)
        case newRoom(site: String)
    }

    /// Moves one candidate (for example to an accessible room): a new ticket for them only.
    func move(
        candidateID: Int64, from ticket: String, to destination: Destination, run: UUID, reason: String, by member: StaffMember, clientAddress: String
    ) async throws -> Result<String, Refusal> {
        let district = String(ticket.prefix(4))
        let group = String(ticket.dropFirst(4).prefix(2))
        let oldRoom = Int(ticket.dropFirst(6).prefix(3)) ?? 0
        return try await postgres.withTransaction(logger: logger) { connection -> Result<String, Refusal> in
            // One correction of a district at a time: the next seat and the next room are counted.
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext('arrangement_correction'), \(Int(district) ?? 0)::int)", logger: logger)
            let room: Int
            let seat: Int
            switch destination {
            case .room(let number):
                guard let (groups, seatsPerRoom, lastSeat) = try await connection.query(
                    """
                    SELECT r.groups, s.seats_per_room,
                           (SELECT coalesce(max(right(t.ticket, 2)::int), 0) FROM admission_ticket t
                            WHERE t.run_id = r.run_id AND left(t.ticket, 4) = r.district_code AND substr(t.ticket, 7, 3)::int = r.room)
                    FROM exam_room r JOIN exam_site s ON s.id = r.site_id
                    WHERE r.run_id = \(run) AND r.district_code = \(district) AND r.room = \(number) AND NOT s.closed
                    """, logger: logger
                ).decode(([String], Int, Int).self).first(where: { _ in true }) else { return .failure(.room("本考区没有这个考场")) }
                guard number != oldRoom else { return .failure(.room("考生已在该考场")) }
                guard groups.contains(group) else { return .failure(.room("该考场不考本考生的科类组")) }
                guard lastSeat < seatsPerRoom else { return .failure(.room("该考场已没有空座位")) }
                (room, seat) = (number, lastSeat + 1)
                try await connection.query(
                    "UPDATE exam_room SET seats = seats + 1 WHERE run_id = \(run) AND district_code = \(district) AND room = \(number)", logger: logger)
            case .newRoom(let site):
                guard let (lastRoom, usable) = try await connection.query(
                    """
                    SELECT (SELECT max(room) FROM exam_room WHERE run_id = \(run) AND district_code = \(district)),
                           (s.district_code = \(district) AND s.status = 'approved' AND NOT s.closed
                            AND (SELECT count(*) FROM exam_room r WHERE r.run_id = \(run) AND r.site_id = s.id) < s.rooms)
                    FROM exam_site s WHERE s.id = \(site)
                    """, logger: logger
                ).decode((Int, Bool).self).first(where: { _ in true }), usable else { return .failure(.site("该考点不属于本考区、未审定、已关闭或没有空余考场")) }
                guard lastRoom < 999 else { return .failure(.room("本考区考场已满 999 个")) }
                (room, seat) = (lastRoom + 1, 1)
                try await connection.query(
                    "INSERT INTO exam_room (run_id, district_code, room, groups, seats, site_id) VALUES (\(run), \(district), \(room), \([group]), 1, \(site))",
                    logger: logger)
            }
            let newTicket = district + group + String(format: "%03d%02d", room, seat)
            try await connection.query(
                "UPDATE exam_room SET seats = seats - 1 WHERE run_id = \(run) AND district_code = \(district) AND room = \(oldRoom)", logger: logger)
            try await connection.query("UPDATE admission_ticket SET ticket = \(newTicket) WHERE run_id = \(run) AND candidate_id = \(candidateID)", logger: logger)
            let detail = #"{"candidateID": \#(candidateID), "from": "\#(ticket)", "to": "\#(newTicket)"}"#
            try await correction(run: run, kind: "candidate_moved", detail: detail, reason: reason, candidates: [candidateID], by: member, clientAddress: clientAddress, on: connection)
            return .success(newTicket)
        }
    }

    /// Closes a site after publication: its rooms, numbers unchanged, go to another site of the
    /// district that has the rooms and seats to spare. Returns the candidates moved.
    func close(site: String, into target: String, run: UUID, reason: String, by member: StaffMember, clientAddress: String) async throws -> Result<Int, Refusal> {
        try await postgres.withTransaction(logger: logger) { connection -> Result<Int, Refusal> in
            guard let (district, closed) = try await connection.query(
                "SELECT district_code, closed FROM exam_site WHERE id = \(site) FOR UPDATE", logger: logger
            ).decode((String, Bool).self).first(where: { _ in true }), !closed else { return .failure(.site("该考点不存在或已关闭")) }
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext('arrangement_correction'), \(Int(district) ?? 0)::int)", logger: logger)
            guard let (moving, largest) = try await connection.query(
                "SELECT count(*)::int, coalesce(max(seats), 0) FROM exam_room WHERE run_id = \(run) AND site_id = \(site)", logger: logger
            ).decode((Int, Int).self).first(where: { _ in true }), moving > 0 else { return .failure(.site("该考点没有分到考场")) }
            let fits = try await connection.query(
                """
                SELECT s.rooms - (SELECT count(*) FROM exam_room r WHERE r.run_id = \(run) AND r.site_id = s.id) >= \(moving) AND s.seats_per_room >= \(largest)
                FROM exam_site s WHERE s.id = \(target) AND s.id <> \(site) AND s.district_code = \(district) AND s.status = 'approved' AND NOT s.closed
                """, logger: logger
            ).decode(Bool.self).first { _ in true }
            guard fits == true else { return .failure(.site("接收考点不属于本考区、未审定、已关闭，或空余考场和座位不够")) }
            let candidates = try await connection.query(
                """
                SELECT t.candidate_id FROM admission_ticket t JOIN exam_room r
                  ON r.run_id = t.run_id AND r.district_code = left(t.ticket, 4) AND r.room = substr(t.ticket, 7, 3)::int
                WHERE t.run_id = \(run) AND r.site_id = \(site) AND left(t.ticket, 4) = \(district)
                """, logger: logger
            ).decode(Int64.self).collected()
            try await connection.query("UPDATE exam_room SET site_id = \(target) WHERE run_id = \(run) AND site_id = \(site)", logger: logger)
            try await connection.query("UPDATE exam_site SET closed = true, updated_at = now() WHERE id = \(site)", logger: logger)
            let detail = #"{"site": "\#(site)", "movedTo": "\#(target)", "rooms": \#(moving)}"#
            try await correction(run: run, kind: "site_closed", detail: detail, reason: reason, candidates: candidates, by: member, clientAddress: clientAddress, on: connection)
            return .success(candidates.count)
        }
    }

    private func correction(
        run: UUID, kind: String, detail: String, reason: String, candidates: [Int64], by member: StaffMember, clientAddress: String, on connection: PostgresConnection
    ) async throws {
        let id = try await connection.query(
            """
            INSERT INTO arrangement_correction (run_id, kind, detail, reason, made_by) VALUES (\(run), \(kind), \(detail)::jsonb, \(reason), \(member.id)) RETURNING id
            """, logger: logger
        ).decode(Int64.self).first { _ in true } ?? 0
        // In slices, so that a large site's event stays a modest message.
        var events: [OutboxEvent] = []
        for start in stride(from: 0, to: candidates.count, by: 1000) {
            let slice = Array(candidates[start..<min(start + 1000, candidates.count)])
            events.append(
                try OutboxEvent(
                    Envelope(event: AdmissionTicketsChanged(runID: run, correctionID: id, candidateIDs: slice)), aggregateID: "arrangement-\(run)",
                    routingKey: AdmissionTicketsChanged.routingKey))
        }
        try await Outbox.append(events, in: connection, logger: logger)
        try await AuditLog.record(
            .staff(member), action: "arrangement.\(kind)", target: .init(kind: "arrangement_correction", id: "\(id)"), clientAddress: clientAddress,
            on: connection, logger: logger)
    }
}
