import Foundation
import Logging
import PostgresNIO
import ServiceRuntime

/// A signed-in staff user as every staff route sees it: bound to one organisation node, seeing
/// and changing only that node's subtree.
public struct StaffMember: Sendable {
    public let id: Int64
    public let username: String
    public let name: String
    public let nodeID: String
    public let nodeKind: OrganisationNodeKind
    /// The node's ltree path (`hunan.430000.430100`): the subtree test is `path <@ nodePath`.
    public let nodePath: String
    public let roles: Set<StaffRole>

    public var managesStaff: Bool { roles.contains { $0.managesStaff } }
    public var changesCandidates: Bool { roles.contains { $0.changesCandidates } }
    public var isProvinceAdministrator: Bool { roles.contains(.provinceAdministrator) }

    /// Whether a node with `path` lies in this member's subtree (its own node included).
    public func covers(path: String) -> Bool {
        path == nodePath || path.hasPrefix(nodePath + ".")
    }

    /// Whether this member may see a candidate registered in the county at `countyPath` who chose
    /// the confirmation point `pointID`: the county's subtree, or an operator of the chosen point
    /// (candidates come to a point from other counties, and may walk in without an appointment).
    public func reaches(candidateIn countyPath: String?, choosing pointID: String?) -> Bool {
        if let countyPath, covers(path: countyPath) { return true }
        return nodeKind == .confirmationPoint && roles.contains(.confirmationPointOperator) && pointID != nil && pointID == nodeID
    }
}

/// Loads staff members for sessions and checks their scope.
public struct StaffDirectory: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    public init(postgres: PostgresClient, logger: Logger) {
        self.postgres = postgres
        self.logger = logger
    }

    /// The active staff member a session belongs to; nil when the account was disabled since.
    /// Asked on every staff request: a prepared statement, planned once per connection (planning
    /// the join was most of its time in PostgreSQL).
    public func member(id: Int64) async throws -> StaffMember? {
        for try await (id, username, name, nodeID, kind, path, roles) in try await postgres.execute(MemberByID(id: id), logger: logger) {
            return StaffMember(
                id: id, username: username, name: name, nodeID: nodeID,
                nodeKind: OrganisationNodeKind(rawValue: kind) ?? .province, nodePath: path,
                roles: Set(roles.compactMap(StaffRole.init(rawValue:))))
        }
        return nil
    }

    struct MemberByID: PostgresPreparedStatement {
        static let sql = """
            SELECT s.id, s.username, s.name, n.id, n.kind, n.path::text, s.roles
            FROM staff_account s JOIN organisation_node n ON n.id = s.organisation_node_id
            WHERE s.id = $1 AND s.status = 'active'
            """
        typealias Row = (Int64, String, String, String, String, String, [String])
        let id: Int64

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(id)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// Where a candidate sits for staff scope: their chosen point's path, or before one is chosen
    /// their county's (the `candidate_scope` view); nil for no such candidate.
    public func scopePath(ofCandidate id: Int64) async throws -> String? {
        try await postgres.query("SELECT path::text FROM candidate_scope WHERE candidate_id = \(id)", logger: logger)
            .decode(String.self).first { _ in true }
    }
}
