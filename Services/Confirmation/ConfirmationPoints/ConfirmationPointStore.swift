import Access
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime

/// A confirmation point as staff see it, with where it is in its review.
struct ConfirmationPointRecord: Codable, Sendable {
    let id: String
    let name: String
    let countyID: String
    let address: String
    let contact: String
    let phone: String
    let levels: [String]
    let lowAge: Bool
    let medical: Bool
    let dailyCapacity: Int
    let hours: [[String]]
    let status: String
    let statusReason: String?
}

/// The `confirmation_point` table and the point's node in the organisation tree.
struct ConfirmationPointStore: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    struct Proposal: Sendable {
        let name: String
        let address: String
        let contact: String
        let phone: String
        let levels: [String]
        let lowAge: Bool
        let medical: Bool
        let dailyCapacity: Int
        let hours: [[String]]
    }

    /// A new point under `county`, proposed; its node id is made here.
    func propose(_ proposal: Proposal, county: String, by member: StaffMember, clientAddress: String) async throws -> String {
        let id = "CP\(county)" + String(UInt32.random(in: 0...UInt32.max), radix: 36).uppercased()
        try await postgres.withTransaction(logger: logger) { connection in
            try await connection.query(
                """
                INSERT INTO organisation_node (id, kind, name, parent_id, path)
                SELECT \(id), 'confirmation_point', \(proposal.name), id, path || \(id)::ltree FROM organisation_node WHERE id = \(county)
                """, logger: logger)
            try await connection.query(
                """
                INSERT INTO confirmation_point (node_id, county_id, address, contact, phone, levels, low_age, medical, daily_capacity, hours)
                VALUES (\(id), \(county), \(proposal.address), \(proposal.contact), \(proposal.phone), \(proposal.levels), \(proposal.lowAge),
                        \(proposal.medical), \(proposal.dailyCapacity), \(String(decoding: try JSONEncoder().encode(proposal.hours), as: UTF8.self))::jsonb)
                """, logger: logger)
            try await AuditLog.record(.staff(member), action: "point.propose", target: .init(kind: "confirmation_point", id: id), clientAddress: clientAddress, on: connection, logger: logger)
        }
        return id
    }

    /// The county opens a point beyond its hours for one day (recorded with the reason, audited).
    func grantOverride(_ pointID: String, day: String, reason: String, by member: StaffMember, clientAddress: String) async throws {
        try await postgres.withTransaction(logger: logger) { connection in
            try await connection.query(
                """
                INSERT INTO point_hours_override (point_id, day, granted_by, reason) VALUES (\(pointID), \(day)::date, \(member.id), \(reason))
                ON CONFLICT (point_id, day) DO UPDATE SET granted_by = excluded.granted_by, granted_at = now(), reason = excluded.reason
                """, logger: logger)
            try await AuditLog.record(
                .staff(member), action: "point.hours_override", target: .init(kind: "confirmation_point", id: pointID), clientAddress: clientAddress,
                on: connection, logger: logger)
        }
    }

    func points(under path: String) async throws -> [ConfirmationPointRecord] {
        try await records("WHERE n.path <@ \(path)::ltree ORDER BY p.county_id, n.name LIMIT 1000")
    }

    func point(_ id: String) async throws -> (record: ConfirmationPointRecord, path: String)? {
        let rows = try await postgres.query("SELECT path::text FROM organisation_node WHERE id = \(id) AND kind = 'confirmation_point'", logger: logger)
        var path: String?
        for try await value in rows.decode(String.self) { path = value }
        guard let path, let record = try await records("WHERE p.node_id = \(id)").first else { return nil }
        return (record, path)
    }

    private func records(_ condition: PostgresQuery) async throws -> [ConfirmationPointRecord] {
        let query = PostgresQuery(
            unsafeSQL: """
                SELECT p.node_id, n.name, p.county_id, p.address, p.contact, p.phone, p.levels, p.low_age, p.medical, p.daily_capacity, p.hours::text, p.status, p.status_reason
                FROM confirmation_point p JOIN organisation_node n ON n.id = p.node_id
                """ + " " + condition.sql, binds: condition.binds)
        var result: [ConfirmationPointRecord] = []
        for try await (id, name, county, address, contact, phone, levels, lowAge, medical, capacity, hours, status, reason) in try await postgres.query(query, logger: logger)
            .decode((String, String, String, String, String, String, [String], Bool, Bool, Int, String, String, String?).self)
        {
            result.append(
                ConfirmationPointRecord(
                    id: id, name: name, countyID: county, address: address, contact: contact, phone: phone, levels: levels, lowAge: lowAge,
                    medical: medical, dailyCapacity: capacity,
                    hours: (try? JSONDecoder().decode([[String]].self, from: Data(hours.utf8))) ?? [], status: status, statusReason: reason))
        }
        return result
    }
}
