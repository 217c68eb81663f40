import Contracts
import Foundation
import Logging
import Messaging
import PostgresNIO

/// Notes which admission tickets are to be made (`documents.admission-tickets`): every candidate
/// of a published arrangement, and again (a new version) each candidate a correction touched.
/// Repeated events change nothing (the consumer records what it processed), and the order they
/// arrive in does not matter: a correction counts as one version above the first, whichever
/// comes first.
struct AdmissionTicketsDue: MessageHandler {
    let consumerName = "documents.admission-tickets"

    func handle(_ message: IncomingMessage, in transaction: PostgresConnection, logger: Logger) async throws {
        switch message.type {
        case ArrangementPublished.eventType:
            let event = try Envelope<ArrangementPublished>.decode(message.body).event
            try await transaction.query(
                """
                INSERT INTO admission_ticket_document (run_id, candidate_id) SELECT run_id, candidate_id FROM admission_ticket WHERE run_id = \(event.runID)
                ON CONFLICT DO NOTHING
                """, logger: logger)
        case AdmissionTicketsChanged.eventType:
            let event = try Envelope<AdmissionTicketsChanged>.decode(message.body).event
            try await transaction.query(
                """
                INSERT INTO admission_ticket_document (run_id, candidate_id, version) SELECT \(event.runID), unnest(\(event.candidateIDs)::int8[]), 2
                ON CONFLICT (run_id, candidate_id) DO UPDATE
                SET version = admission_ticket_document.version + 1, due_since = now(), made_at = NULL
                """, logger: logger)
        default:
            return
        }
    }
}
