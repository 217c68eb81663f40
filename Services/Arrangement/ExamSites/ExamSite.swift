import Access
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import ServiceRuntime

/// An exam site (考点) as staff see it, with where it is in its review.
struct ExamSiteRecord: Codable, Sendable {
    let id: String
    let name: String
    let countyID: String
    let districtCode: String
    let address: String
    let contact: String
    let phone: String
    let rooms: Int
    let seatsPerRoom: Int
    let accessibleRooms: Int
    let status: String
    let statusReason: String?
    let closed: Bool
}

/// The `exam_site` table.
struct ExamSiteStore: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    /// A new site of `county`, proposed, in a district of the county's city; nil when the district is not one.
    func propose(_ site: ExamSiteRecord, county: String, by member: StaffMember, clientAddress: String) async throws -> String? {
        let id = "ES\(county)" + String(UInt32.random(in: 0...UInt32.max), radix: 36).uppercased()
        return try await postgres.withTransaction(logger: logger) { connection -> String? in
            let rows = try await connection.query(
                """
                INSERT INTO exam_site (id, name, county_id, district_code, address, contact, phone, rooms, seats_per_room, accessible_rooms)
                SELECT \(id), \(site.name), \(county), d.code, \(site.address), \(site.contact), \(site.phone), \(site.rooms), \(site.seatsPerRoom), \(site.accessibleRooms)
                FROM exam_district d JOIN organisation_node n ON n.id = \(county) AND n.parent_id = d.city_id WHERE d.code = \(site.districtCode)
                RETURNING 1
                """, logger: logger)
            guard try await rows.decode(Int.self).first(where: { _ in true }) != nil else { return nil }
            try await AuditLog.record(
                .staff(member), action: "exam_site.propose", target: .init(kind: "exam_site", id: id), clientAddress: clientAddress, on: connection, logger: logger)
            return id
        }
    }

    func sites(under path: String) async throws -> [ExamSiteRecord] {
        try await records("JOIN organisation_node n ON n.id = s.county_id WHERE n.path <@ \(path)::ltree ORDER BY s.district_code, s.county_id, s.name LIMIT 2000")
    }

    func site(_ id: String) async throws -> ExamSiteRecord? {
        try await records("WHERE s.id = \(id)").first
    }

    private func records(_ condition: PostgresQuery) async throws -> [ExamSiteRecord] {
        let query = PostgresQuery(
            unsafeSQL: """
                SELECT s.id, s.name, s.county_id, s.district_code, s.address, s.contact, s.phone, s.rooms, s.seats_per_room, s.accessible_rooms,
                       s.status, s.status_reason, s.closed
                FROM exam_site s
                """ + " " + condition.sql, binds: condition.binds)
        var result: [ExamSiteRecord] = []
        for try await row in try await postgres.query(query, logger: logger)
            .decode((String, String, String, String, String, String, String, Int, Int, Int, String, String?, Bool).self)
        {
            result.append(
                ExamSiteRecord(
                    id: row.0, name: row.1, countyID: row.2, districtCode: row.3, address: row.4, contact: row.5, phone: row.6, rooms: row.7,
                    seatsPerRoom: row.8, accessibleRooms: row.9, status: row.10, statusReason: row.11, closed: row.12))
        }
        return result
    }
}

/// Setting up exam sites (seed 四.9): after data reporting a county proposes a site
/// (`POST /staff/exam-sites`) in a district of its city; then the review every proposed place
/// goes through (`ProposalReviewRoutes`: the city reviews, the province approves or returns).
/// Only approved, open sites count in a district's capacity and take rooms.
struct ExamSiteRoutes: Sendable {
    let access: AccessControl
    let store: ExamSiteStore

    func add(to routes: ServiceRoutes) {
        routes.staff.post("staff/exam-sites", use: propose)
        routes.staff.get("staff/exam-sites", use: list)
        ProposalReviewRoutes(access: access, kind: .examSite, postgres: store.postgres, logger: store.logger) { id in try await store.site(id) }
            .add(to: routes, at: "staff/exam-sites")
    }

    struct Proposal: Decodable {
        let name: String
        let districtCode: String
        let address: String
        let contact: String
        let phone: String
        let rooms: Int
        /// 30 unless given.
        let seatsPerRoom: Int?
        let accessibleRooms: Int?
    }

    @Sendable func propose(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<ExamSiteRecord> {
        let member = try await ProposalKind.examSite.proposer(context, access: access, request: request)
        let input = try await JSONInput.decode(Proposal.self, from: request)
        var validation = Validation()
        let place = PlaceContact.check(name: input.name, address: input.address, contact: input.contact, phone: input.phone, into: &validation)
        if !(1...999).contains(input.rooms) { validation.add("rooms", "rooms.range", "提供考场数应为 1-999") }
        let seats = input.seatsPerRoom ?? 30
        if !(1...99).contains(seats) { validation.add("seatsPerRoom", "seats.range", "每考场座位数应为 1-99") }
        let accessible = input.accessibleRooms ?? 0
        if accessible < 0 || accessible > input.rooms { validation.add("accessibleRooms", "accessible.range", "无障碍考场数不能超过提供考场数") }
        if input.districtCode.count != 4 { validation.add("districtCode", "district.unknown", "没有这个考区") }
        try validation.check()
        guard let place else { throw APIError.invalid(validation.errors) }
        let proposal = ExamSiteRecord(
            id: "", name: place.name, countyID: member.nodeID, districtCode: input.districtCode, address: place.address, contact: place.contact,
            phone: place.phone,
            rooms: input.rooms, seatsPerRoom: seats, accessibleRooms: accessible, status: "proposed", statusReason: nil, closed: false)
        guard let id = try await store.propose(proposal, county: member.nodeID, by: member, clientAddress: request.clientAddress) else {
            throw APIError.invalid(field: "districtCode", code: "district.unknown", message: "本市州没有这个考区")
        }
        guard let created = try await store.site(id) else { throw APIError.notFound }
        return JSONOutput(created, status: .created)
    }

    @Sendable func list(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<[ExamSiteRecord]> {
        JSONOutput(try await store.sites(under: try context.staff.nodePath))
    }
}
