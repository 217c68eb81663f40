import Access
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime

/// A district's rooms of a numbering run and the sites they go to, as the officers see them.
struct DistrictAllocation: Codable, Sendable {
    struct Room: Codable, Sendable {
        let room: Int
        let groups: [String]
        let seats: Int
        let siteID: String?
    }

    struct Site: Codable, Sendable {
        let id: String
        let name: String
        let countyID: String
        let rooms: Int
        let seatsPerRoom: Int
        let accessibleRooms: Int
        let roomsUsed: Int
    }

    let runID: UUID
    let districtCode: String
    let status: String
    let statusReason: String?
    let rooms: [Room]
    /// The district's approved, open sites.
    let sites: [Site]
}

/// The `room_allocation` table and the rooms' sites (`exam_room.site_id`).
struct RoomAllocationStore: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    enum Refusal: Error, Equatable {
        case notOpen
        case unknownRoom(Int)
        case site(String)
        case overfull([String])
        case unallocated(Int)
        case state
    }

    func allocation(run: UUID, district: String) async throws -> DistrictAllocation? {
        guard let (status, reason) = try await postgres.query(
            "SELECT status, status_reason FROM room_allocation WHERE run_id = \(run) AND district_code = \(district)", logger: logger
        ).decode((String, String?).self).first(where: { _ in true }) else { return nil }
        var rooms: [DistrictAllocation.Room] = []
        for try await (room, groups, seats, site) in try await postgres.query(
            "SELECT room, groups, seats, site_id FROM exam_room WHERE run_id = \(run) AND district_code = \(district) ORDER BY room", logger: logger
        ).decode((Int, [String], Int, String?).self) {
            rooms.append(.init(room: room, groups: groups, seats: seats, siteID: site))
        }
        var sites: [DistrictAllocation.Site] = []
        for try await row in try await postgres.query(
            """
            SELECT s.id, s.name, s.county_id, s.rooms, s.seats_per_room, s.accessible_rooms,
                   (SELECT count(*)::int FROM exam_room r WHERE r.run_id = \(run) AND r.site_id = s.id)
            FROM exam_site s WHERE s.district_code = \(district) AND s.status = 'approved' AND NOT s.closed ORDER BY s.county_id, s.name, s.id
            """, logger: logger
        ).decode((String, String, String, Int, Int, Int, Int).self) {
            sites.append(.init(id: row.0, name: row.1, countyID: row.2, rooms: row.3, seatsPerRoom: row.4, accessibleRooms: row.5, roomsUsed: row.6))
        }
        return DistrictAllocation(runID: run, districtCode: district, status: status, statusReason: reason, rooms: rooms, sites: sites)
    }

    /// Replaces every room's site with the automatic proposal.
    func propose(run: UUID, district: String, by member: StaffMember, clientAddress: String) async throws -> Refusal? {
        guard let current = try await allocation(run: run, district: district) else { return .notOpen }
        guard let proposal = AutomaticAllocation.propose(
            current.rooms.map { .init(number: $0.room, seats: $0.seats) },
            sites: current.sites.map { .init(id: $0.id, countyID: $0.countyID, name: $0.name, rooms: $0.rooms, seatsPerRoom: $0.seatsPerRoom) })
        else { return .overfull(current.sites.map(\.id)) }
        return try await assign(
            run: run, district: district, rooms: proposal.map { ($0.key, $0.value) }, action: "allocation.propose", by: member, clientAddress: clientAddress)
    }

    /// Puts the given rooms in the given sites (the others stay where they are), then checks the
    /// whole district: never more rooms in a site than it offered, nor a room it cannot seat.
    func assign(
        run: UUID, district: String, rooms: [(room: Int, site: String)], action: String = "allocation.adjust", by member: StaffMember, clientAddress: String
    ) async throws -> Refusal? {
        do {
            return try await assignChecked(run: run, district: district, rooms: rooms, action: action, by: member, clientAddress: clientAddress)
        } catch let failed as PostgresTransactionError where failed.closureError is AllocationRolledBack {
            return (failed.closureError as? AllocationRolledBack)?.refusal
        }
    }

    private func assignChecked(
        run: UUID, district: String, rooms: [(room: Int, site: String)], action: String, by member: StaffMember, clientAddress: String
    ) async throws -> Refusal? {
        try await postgres.withTransaction(logger: logger) { connection -> Refusal? in
            guard try await lockOpen(run: run, district: district, statuses: ["draft", "returned"], on: connection) else { return .notOpen }
            let numbers = rooms.map(\.room)
            let sites = rooms.map(\.site)
            if let unknown = try await connection.query(
                "SELECT x FROM unnest(\(sites)::text[]) x WHERE NOT EXISTS (SELECT 1 FROM exam_site s WHERE s.id = x) LIMIT 1", logger: logger
            ).decode(String.self).first(where: { _ in true }) {
                return .site(unknown)
            }
            let updated = try await connection.query(
                """
                UPDATE exam_room r SET site_id = x.site FROM unnest(\(numbers)::int[], \(sites)::text[]) AS x(room, site)
                WHERE r.run_id = \(run) AND r.district_code = \(district) AND r.room = x.room RETURNING r.room
                """, logger: logger
            ).decode(Int.self).collected()
            if let missing = Set(numbers).subtracting(updated).min() { throw AllocationRolledBack(refusal: .unknownRoom(missing)) }
            // A site outside the district, not approved or closed.
            if let foreign = try await connection.query(
                """
                SELECT DISTINCT r.site_id FROM exam_room r JOIN exam_site s ON s.id = r.site_id
                WHERE r.run_id = \(run) AND r.district_code = \(district) AND (s.district_code <> \(district) OR s.status <> 'approved' OR s.closed)
                """, logger: logger
            ).decode(String.self).first(where: { _ in true }) {
                throw AllocationRolledBack(refusal: .site(foreign))
            }
            let overfull = try await connection.query(
                """
                SELECT s.id FROM exam_site s JOIN exam_room r ON r.site_id = s.id AND r.run_id = \(run)
                GROUP BY s.id, s.rooms, s.seats_per_room HAVING count(*) > s.rooms OR max(r.seats) > s.seats_per_room ORDER BY s.id
                """, logger: logger
            ).decode(String.self).collected()
            guard overfull.isEmpty else { throw AllocationRolledBack(refusal: .overfull(overfull)) }
            try await connection.query(
                "UPDATE room_allocation SET status = 'draft', status_reason = NULL, updated_at = now() WHERE run_id = \(run) AND district_code = \(district)",
                logger: logger)
            try await AuditLog.record(
                .staff(member), action: action, target: .init(kind: "room_allocation", id: "\(run)/\(district)"), clientAddress: clientAddress,
                on: connection, logger: logger)
            return nil
        }
    }

    /// The district's officer submits (every room placed); the city accepts or returns it.
    func move(
        run: UUID, district: String, from: [String], to: String, reason: String?, by member: StaffMember, clientAddress: String
    ) async throws -> Refusal? {
        try await postgres.withTransaction(logger: logger) { connection -> Refusal? in
            guard try await lockOpen(run: run, district: district, statuses: from, on: connection) else { return .state }
            if to == "submitted" {
                let unplaced = try await connection.query(
                    "SELECT count(*)::int FROM exam_room WHERE run_id = \(run) AND district_code = \(district) AND site_id IS NULL", logger: logger
                ).decode(Int.self).first { _ in true } ?? 0
                if unplaced > 0 { return .unallocated(unplaced) }
            }
            try await connection.query(
                """
                UPDATE room_allocation SET status = \(to), status_reason = \(reason), updated_at = now() WHERE run_id = \(run) AND district_code = \(district)
                """, logger: logger)
            try await AuditLog.record(
                .staff(member), action: "allocation.\(to)", target: .init(kind: "room_allocation", id: "\(run)/\(district)"), clientAddress: clientAddress,
                on: connection, logger: logger)
            return nil
        }
    }

    /// Locks the district's allocation of an unpublished run when it is in one of `statuses`.
    private func lockOpen(run: UUID, district: String, statuses: [String], on connection: PostgresConnection) async throws -> Bool {
        try await connection.query(
            """
            SELECT 1 FROM room_allocation a JOIN numbering_run r ON r.id = a.run_id
            WHERE a.run_id = \(run) AND a.district_code = \(district) AND a.status = ANY(\(statuses)) AND r.published_at IS NULL
            FOR UPDATE OF a
            """, logger: logger
        ).decode(Int.self).first { _ in true } != nil
    }
}

/// Thrown inside the transaction to undo the room updates; carries the refusal out.
struct AllocationRolledBack: Error {
    let refusal: RoomAllocationStore.Refusal
}

extension AsyncSequence where Self: Sendable {
    /// Every element, in order.
    func collected() async throws -> [Element] { try await reduce(into: []) { $0.append($1) } }
}
