import Access
import Contracts
import Foundation
import Logging
import Messaging
import PostgresNIO

/// Where a candidate stands (SPEC §3): `registered -> submitted -> confirmed -> paid`, with
/// `pending_city_review` for holders of permits and foreign documents, `exempt` after an approved
/// exemption, and `invalid` when the window closes first. Which moves are legal is the
/// database's table `candidate_status_move` (migration 0023), which a trigger enforces on every
/// write, whoever makes it.
public enum CandidateStatus: String, Codable, Sendable, CaseIterable {
    case registered, submitted, pendingCityReview = "pending_city_review", confirmed, paid, exempt, invalid

    /// As candidates and staff read it.
    public var name: String {
        switch self {
        case .registered: "未提交"
        case .submitted: "已提交，待现场确认"
        case .pendingCityReview: "待市级审核"
        case .confirmed: "已确认，待缴费"
        case .paid: "报名有效"
        case .exempt: "免试入学"
        case .invalid: "报名无效"
        }
    }
}

/// Who moves a candidate, for the transition (and, for staff, the audit row).
/// (A candidate's own move, a submission, is written by the registration's batched statement
/// through `CandidateLifecycle.moves(from:)`.)
public enum CandidateMover: Sendable {
    /// A staff member, from `clientAddress`; `action` names what they did in the audit trail.
    case staff(StaffMember, action: String, clientAddress: String)
    /// The system: `source` says what moved it ("payment:alipay", "payment-deadline", ...).
    case system(source: String)

    var kind: String {
        switch self {
        case .staff: "staff"
        case .system: "system"
        }
    }
}

/// One candidate's move, with what caused it and the event that tells the other services.
public struct CandidateMove: Sendable {
    public let candidateID: Int64
    public let from: CandidateStatus
    public let to: CandidateStatus
    public let mover: CandidateMover
    /// Why, where it says more than the mover: a refusal's reason, a deadline.
    public let reason: String?
    /// The event that tells the move; `CandidateMoved` when the caller has none more specific.
    public let event: OutboxEvent

    public init(
        _ candidateID: Int64, from: CandidateStatus, to: CandidateStatus, by mover: CandidateMover, reason: String? = nil, event: OutboxEvent? = nil
    ) throws {
        self.candidateID = candidateID
        self.from = from
        self.to = to
        self.mover = mover
        self.reason = reason
        self.event = try event ?? OutboxEvent(
            Envelope(event: CandidateMoved(candidateID: candidateID, from: from.rawValue, to: to.rawValue)), aggregateID: "candidate-\(candidateID)",
            routingKey: CandidateMoved.routingKey)
    }
}

/// The one place a candidate's status changes. In the caller's transaction, and for candidates
/// whose rows the caller has locked: each move whose candidate still stands at `from` writes the
/// status, its transition (who, when, from where, why), the audit row for staff, and its event.
public enum CandidateLifecycle {
    /// Applies the moves; the ids of the candidates moved (a candidate no longer at `from` is not).
    @discardableResult
    public static func apply(_ moves: [CandidateMove], on connection: PostgresConnection, logger: Logger) async throws -> Set<Int64> {
        guard !moves.isEmpty else { return [] }
        var moved = Set<Int64>()
        for try await id in try await connection.execute(Moves(moves), logger: logger) { moved.insert(id) }
        try await Outbox.append(moves.filter { moved.contains($0.candidateID) }.map(\.event), in: connection, logger: logger)
        return moved
    }

    /// The statement's part that moves candidates, for statements that write something else in the
    /// same round trip (a batch of submitted forms, a batch of payments). `input` names a relation
    /// with the columns `candidate_id, from_status, to_status, actor_kind, actor_id, client_address,
    /// reason`; the result is the common table expressions `moved (id)` and `moved_transition`,
    /// to follow a `WITH ...,`.
    public static func moves(from input: String) -> String {
        """
        moved AS (
            UPDATE candidate_account c SET status = m.to_status
            FROM \(input) m WHERE c.id = m.candidate_id AND c.status = m.from_status
            RETURNING c.id
        ), moved_transition AS (
            INSERT INTO candidate_transition (candidate_id, from_status, to_status, actor_kind, actor_id, client_address, reason)
            SELECT m.candidate_id, m.from_status, m.to_status, m.actor_kind, m.actor_id, m.client_address, m.reason
            FROM \(input) m JOIN moved ON moved.id = m.candidate_id
        )
        """
    }

    /// A batch of moves as one prepared statement: the status, the transitions and the staff's
    /// audit rows.
    struct Moves: PostgresPreparedStatement {
        static let sql = """
            WITH input AS (
                SELECT t.candidate_id, t.from_status, t.to_status, t.actor_kind, nullif(t.actor_id, 0) AS actor_id, t.client_address,
                       nullif(t.reason, '') AS reason, t.actor_node_id, t.audit_action
                FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[])
                    AS t(candidate_id, from_status, to_status, actor_kind, actor_id, client_address, reason, actor_node_id, audit_action)
            ), \(CandidateLifecycle.moves(from: "input")), audited AS (
                INSERT INTO audit_event (actor_kind, actor_id, actor_node_id, action, target_kind, target_id, outcome, client_address)
                SELECT 'staff', m.actor_id, m.actor_node_id, m.audit_action, 'candidate', m.candidate_id::text, 'allowed', m.client_address
                FROM input m JOIN moved ON moved.id = m.candidate_id WHERE m.actor_kind = 'staff'
            )
            SELECT id FROM moved
            """
        typealias Row = Int64
        // (No NULLs in arrays: 0 and "" stand for none, turned back into NULL above.)
        var ids: [Int64] = [], from: [String] = [], to: [String] = [], kinds: [String] = [], actorIDs: [Int64] = []
        var addresses: [String] = [], reasons: [String] = [], nodes: [String] = [], actions: [String] = []

        init(_ moves: [CandidateMove]) {
            for move in moves {
                ids.append(move.candidateID)
                from.append(move.from.rawValue)
                to.append(move.to.rawValue)
                kinds.append(move.mover.kind)
                reasons.append(move.reason ?? "")
                switch move.mover {
                case .staff(let member, let action, let address):
                    actorIDs.append(member.id)
                    addresses.append(String(address.prefix(64)))
                    nodes.append(member.nodeID)
                    actions.append(action)
                case .system(let source):
                    actorIDs.append(0)
                    addresses.append(source)
                    nodes.append("")
                    actions.append("")
                }
            }
        }

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 9)
            bindings.append(ids)
            bindings.append(from)
            bindings.append(to)
            bindings.append(kinds)
            bindings.append(actorIDs)
            bindings.append(addresses)
            bindings.append(reasons)
            bindings.append(nodes)
            bindings.append(actions)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode(Int64.self) }
    }
}
