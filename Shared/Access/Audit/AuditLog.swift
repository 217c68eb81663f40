import Foundation
import Hummingbird
import Logging
import PostgresNIO
import ServiceRuntime

/// Who acted: a staff member (with the node it acted from), a candidate, or an operations command.
public enum AuditActor: Sendable {
    case staff(StaffMember)
    case candidate(Int64)
    case operations(String)
}

public struct AuditTarget: Sendable {
    public let kind: String
    public let id: String

    public init(kind: String, id: String) {
        self.kind = kind
        self.id = id
    }

    public static func candidate(_ id: Int64) -> AuditTarget { .init(kind: "candidate", id: String(id)) }
    public static func staff(_ id: Int64) -> AuditTarget { .init(kind: "staff", id: String(id)) }
}

public enum AuditOutcome: String, Sendable {
    case allowed, denied
}

/// The append-only audit trail (`audit_event`): every staff read or change of candidate data and
/// every refusal of one. The table refuses UPDATE and DELETE, from the services' role and, by
/// trigger, from everyone. Rows hold ids, never the personal data itself.
public struct AuditLog: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    public init(postgres: PostgresClient, logger: Logger) {
        self.postgres = postgres
        self.logger = logger
    }

    public func record(_ actor: AuditActor, action: String, target: AuditTarget, outcome: AuditOutcome = .allowed, request: Request?) async throws {
        try await postgres.withConnection { connection in
            try await Self.record(actor, action: action, target: target, outcome: outcome, clientAddress: request?.clientAddress ?? "local", on: connection, logger: logger)
        }
    }

    /// Within a caller's transaction, so that a change and its audit row commit together.
    public static func record(
        _ actor: AuditActor, action: String, target: AuditTarget, outcome: AuditOutcome = .allowed, clientAddress: String,
        on connection: PostgresConnection, logger: Logger
    ) async throws {
        let (kind, id, node): (String, Int64?, String?) =
            switch actor {
            case .staff(let member): ("staff", member.id, member.nodeID)
            case .candidate(let id): ("candidate", id, nil)
            case .operations: ("operations", nil, nil)
            }
        let detail: String? = if case .operations(let who) = actor { who } else { nil }
        try await connection.query(
            """
            INSERT INTO audit_event (actor_kind, actor_id, actor_node_id, actor_detail, action, target_kind, target_id, outcome, client_address)
            VALUES (\(kind), \(id), \(node), \(detail), \(action), \(target.kind), \(target.id), \(outcome.rawValue), \(String(clientAddress.prefix(64))))
            """, logger: logger)
    }
}
