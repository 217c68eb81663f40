import Foundation
import Logging
import PostgresNIO
import ServiceRuntime

/// A staff account as administrators see it: the phone number masked.
public struct StaffAccountView: Codable, Sendable {
    public let id: Int64
    public let username: String
    public let name: String
    public let phone: String
    public let nodeID: String
    public let nodeName: String
    public let roles: [String]
    public let status: String
    public let appliedAt: Date
    public let decisionReason: String?
}

public struct OrganisationNode: Sendable {
    public let id: String
    public let kind: OrganisationNodeKind
    public let path: String
}

/// The `staff_account` table: applications, decisions, credentials.
public struct StaffAccountStore: Sendable {
    let postgres: PostgresClient
    let cipher: PersonalDataCipher
    let logger: Logger

    public init(postgres: PostgresClient, cipher: PersonalDataCipher, logger: Logger) {
        self.postgres = postgres
        self.cipher = cipher
        self.logger = logger
    }

    static let phoneColumn = "staff_account.phone"

    public func node(_ id: String) async throws -> OrganisationNode? {
        let rows = try await postgres.query(
            "SELECT id, kind, path::text FROM organisation_node WHERE id = \(id) AND active", logger: logger)
        for try await (id, kind, path) in rows.decode((String, String, String).self) {
            return OrganisationNode(id: id, kind: OrganisationNodeKind(rawValue: kind) ?? .province, path: path)
        }
        return nil
    }

    /// The first province administrator (an operations command; later ones are approved in the
    /// console). Nil when the username is taken.
    public func createProvinceAdministrator(username: String, name: String, phone: String, passwordHash: String, operatorName: String) async throws -> Int64? {
        let sealed = try cipher.seal(phone, column: Self.phoneColumn)
        return try await postgres.withTransaction(logger: logger) { connection in
            let rows = try await connection.query(
                """
                INSERT INTO staff_account (username, name, phone_sealed, personal_data_key_id, password_hash, organisation_node_id,
                    roles, status, decided_at, decision_reason)
                SELECT \(username), \(name), \(ByteBuffer(bytes: sealed.bytes)), \(sealed.keyID), \(passwordHash), id,
                    ARRAY['province_admin'], 'active', now(), 'created by operations'
                FROM organisation_node WHERE kind = 'province' AND active
                ON CONFLICT (username) DO NOTHING
                RETURNING id
                """, logger: logger)
            var created: Int64?
            for try await id in rows.decode(Int64.self) { created = id }
            if let created {
                try await AuditLog.record(
                    .operations(operatorName), action: "staff.create_province_admin", target: .staff(created), clientAddress: "local",
                    on: connection, logger: logger)
            }
            return created
        }
    }

    /// Stores an application; nil when the username is taken.
    public func apply(username: String, name: String, phone: String, passwordHash: String, nodeID: String) async throws -> Int64? {
        let sealed = try cipher.seal(phone, column: Self.phoneColumn)
        let rows = try await postgres.query(
            """
            INSERT INTO staff_account (username, name, phone_sealed, personal_data_key_id, password_hash, organisation_node_id, status)
            VALUES (\(username), \(name), \(ByteBuffer(bytes: sealed.bytes)), \(sealed.keyID), \(passwordHash), \(nodeID), 'pending')
            ON CONFLICT (username) DO NOTHING
            RETURNING id
            """, logger: logger)
        for try await id in rows.decode(Int64.self) { return id }
        return nil
    }

    /// Accounts (any status) whose node lies in the subtree at `path`.
    public func accounts(under path: String, status: String?) async throws -> [StaffAccountView] {
        try await views(
            """
            WHERE n.path <@ \(path)::ltree AND (\(status)::text IS NULL OR s.status = \(status))
            ORDER BY s.applied_at, s.id LIMIT 500
            """)
    }

    public func account(_ id: Int64) async throws -> (view: StaffAccountView, nodePath: String)? {
        let rows = try await postgres.query(
            "SELECT n.path::text FROM staff_account s JOIN organisation_node n ON n.id = s.organisation_node_id WHERE s.id = \(id)",
            logger: logger)
        var path: String?
        for try await value in rows.decode(String.self) { path = value }
        guard let path, let view = try await views("WHERE s.id = \(id)").first else { return nil }
        return (view, path)
    }

    private func views(_ condition: PostgresQuery) async throws -> [StaffAccountView] {
        let query = PostgresQuery(
            unsafeSQL: """
                SELECT s.id, s.username, s.name, s.phone_sealed, s.personal_data_key_id, n.id, n.name, s.roles, s.status, s.applied_at, s.decision_reason
                FROM staff_account s JOIN organisation_node n ON n.id = s.organisation_node_id
                """ + " " + condition.sql, binds: condition.binds)
        var result: [StaffAccountView] = []
        let rows = try await postgres.query(query, logger: logger)
        for try await (id, username, name, phone, keyID, nodeID, nodeName, roles, status, appliedAt, reason) in rows.decode(
            (Int64, String, String, ByteBuffer, String, String, String, [String], String, Date, String?).self)
        {
            let plain = try cipher.open(.init(keyID: keyID, bytes: Array(buffer: phone)), column: Self.phoneColumn)
            result.append(
                StaffAccountView(
                    id: id, username: username, name: name, phone: PersonalDataMask.maskPhone(plain), nodeID: nodeID,
                    nodeName: nodeName, roles: roles, status: status, appliedAt: appliedAt, decisionReason: reason))
        }
        return result
    }

    public enum DecisionOutcome { case decided, notPending, missing }

    /// Approves (with roles, at `nodeID`) or rejects (with a reason) a pending application.
    public func decide(_ id: Int64, approve: Bool, roles: [StaffRole], nodeID: String?, reason: String?, by approver: StaffMember, clientAddress: String) async throws -> DecisionOutcome {
        try await postgres.withTransaction(logger: logger) { connection in
            let rows = try await connection.query("SELECT status FROM staff_account WHERE id = \(id) FOR UPDATE", logger: logger)
            var status: String?
            for try await value in rows.decode(String.self) { status = value }
            guard let status else { return .missing }
            guard status == "pending" else { return .notPending }
            let roleNames = roles.map(\.rawValue)
            try await connection.query(
                """
                UPDATE staff_account
                   SET status = \(approve ? "active" : "rejected"), roles = \(approve ? roleNames : []),
                       organisation_node_id = coalesce(\(nodeID), organisation_node_id),
                       decided_by = \(approver.id), decided_at = now(), decision_reason = \(reason)
                 WHERE id = \(id)
                """, logger: logger)
            try await AuditLog.record(
                .staff(approver), action: approve ? "staff.approve" : "staff.reject", target: .staff(id),
                clientAddress: clientAddress, on: connection, logger: logger)
            return .decided
        }
    }

    /// The login's account id, password hash and whether it may sign in.
    public func credentials(username: String) async throws -> (id: Int64, hash: String, active: Bool)? {
        let rows = try await postgres.query(
            "SELECT id, password_hash, status FROM staff_account WHERE username = \(username)", logger: logger)
        for try await (id, hash, status) in rows.decode((Int64, String, String).self) { return (id, hash, status == "active") }
        return nil
    }

    public func passwordHash(_ id: Int64) async throws -> String? {
        let rows = try await postgres.query("SELECT password_hash FROM staff_account WHERE id = \(id)", logger: logger)
        for try await hash in rows.decode(String.self) { return hash }
        return nil
    }

    public func setPasswordHash(_ id: Int64, _ hash: String) async throws {
        try await postgres.query("UPDATE staff_account SET password_hash = \(hash) WHERE id = \(id)", logger: logger)
    }
}
