import Access
import Logging
import PostgresNIO
import ServiceRuntime

/// Who decides what in the reviews (SPEC §9): a city officer for the candidates registered in
/// the city, the province's administrators above them; auditors and everyone else read within
/// their subtree only.
enum Reviewers {
    static func isCity(_ member: StaffMember) -> Bool { member.nodeKind == .city && member.roles.contains(.cityOfficer) }
    static func isProvince(_ member: StaffMember) -> Bool { member.isProvinceAdministrator }
}

/// A candidate as the reviews find them: where they registered (the county's tree path, for
/// scope) and their status, read with the row locked where a decision follows.
struct ReviewedCandidate: Sendable {
    let id: Int64
    let countyPath: String
    let status: String

    static func find(_ id: Int64, postgres: PostgresClient, logger: Logger) async throws -> ReviewedCandidate? {
        try await postgres.withConnection { try await find(id, lock: false, on: $0, logger: logger) }
    }

    static func find(_ id: Int64, lock: Bool, on connection: PostgresConnection, logger: Logger) async throws -> ReviewedCandidate? {
        let sql: PostgresQuery = lock
            ? "SELECT n.path::text, c.status FROM candidate_account c JOIN organisation_node n ON n.id = c.organisation_node_id WHERE c.id = \(id) FOR UPDATE OF c"
            : "SELECT n.path::text, c.status FROM candidate_account c JOIN organisation_node n ON n.id = c.organisation_node_id WHERE c.id = \(id)"
        return try await connection.query(sql, logger: logger).decode((String, String).self).first { _ in true }
            .map { ReviewedCandidate(id: id, countyPath: $0, status: $1) }
    }
}
