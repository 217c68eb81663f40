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
    public func member(id: Int64) async throws -> StaffMember? {
        let rows = try await postgres.query(
            """
            SELECT s.id, s.username, s.name, n.id, n.kind, n.path::text, s.roles
            FROM staff_account s JOIN organisation_node n ON n.id = s.organisation_node_id
            WHERE s.id = \(id) AND s.status = 'active'
            """, logger: logger)
        for try await (id, username, name, nodeID, kind, path, roles) in rows.decode((Int64, String, String, String, String, String, [String]).self) {
            return StaffMember(
                id: id, username: username, name: name, nodeID: nodeID,
                nodeKind: OrganisationNodeKind(rawValue: kind) ?? .province, nodePath: path,
                roles: Set(roles.compactMap(StaffRole.init(rawValue:))))
        }
        return nil
    }

    /// Where a candidate sits for staff scope: their chosen point's path, or before one is chosen
    /// their county's (the `candidate_scope` view); nil for no such candidate.
    public func scopePath(ofCandidate id: Int64) async throws -> String? {
        try await postgres.query("SELECT path::text FROM candidate_scope WHERE candidate_id = \(id)", logger: logger)
            .decode(String.self).first { _ in true }
    }
}
