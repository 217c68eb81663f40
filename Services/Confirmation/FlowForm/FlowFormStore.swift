import Access
import Contracts
import Foundation
import Logging
import Messaging
import PostgresNIO

/// `document_request` rows for flow forms (the document worker makes them), and what asking needs
/// to know of the candidate.
struct FlowFormStore: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    /// The candidate's scope path (their point, or their county before one is chosen) and status.
    func candidate(_ id: Int64) async throws -> (scopePath: String, status: String)? {
        try await postgres.query(
            """
            SELECT s.path::text, c.status FROM candidate_account c JOIN candidate_scope s ON s.candidate_id = c.id
            WHERE c.id = \(id)
            """, logger: logger
        ).decode((String, String).self).first { _ in true }.map { (scopePath: $0, status: $1) }
    }

    /// Records the request and emits `DocumentRequested`, with the audit row, in one transaction.
    func record(_ event: DocumentRequested, by member: StaffMember, clientAddress: String) async throws {
        try await postgres.withTransaction(logger: logger) { connection in
            try await connection.query(
                """
                INSERT INTO document_request (id, kind, candidate_id, requested_by)
                VALUES (\(event.requestID), \(event.kind.rawValue), \(event.candidateID), \(member.id))
                """, logger: logger)
            try await Outbox.append(
                [try OutboxEvent(Envelope(event: event), aggregateID: "candidate-\(event.candidateID)", routingKey: DocumentRequested.routingKey)],
                in: connection, logger: logger)
            try await AuditLog.record(
                .staff(member), action: "flow_form.request", target: .candidate(event.candidateID), clientAddress: clientAddress,
                on: connection, logger: logger)
        }
    }

    /// A request: its kind, candidate, status, and the candidate's scope path. It is `ready` once
    /// the document service has stored its file (`stored_document`, that service's table).
    func request(_ id: UUID) async throws -> (kind: String, candidateID: Int64, status: String, scopePath: String)? {
        try await postgres.query(
            """
            SELECT d.kind, d.candidate_id,
                   CASE WHEN EXISTS (SELECT 1 FROM stored_document f WHERE f.kind = d.kind AND f.subject = d.id::text) THEN 'ready' ELSE d.status END,
                   s.path::text
            FROM document_request d JOIN candidate_scope s ON s.candidate_id = d.candidate_id
            WHERE d.id = \(id)
            """, logger: logger
        ).decode((String, Int64, String, String).self).first { _ in true }.map { (kind: $0, candidateID: $1, status: $2, scopePath: $3) }
    }
}
