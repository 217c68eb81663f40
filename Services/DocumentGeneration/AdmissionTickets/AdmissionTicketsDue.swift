import Contracts
import Foundation
import Logging
import Messaging
import PostgresNIO

/// Notes which admission tickets are to be made (`documents.admission-tickets`): every candidate
/// of a published arrangement, and again (a new version) each candidate a correction touched.
/// Repeated events change nothing (the consumer records what it processed), and the order they
/// arrive in does not matter: a correction counts as one version above the first, whichever
/// comes first. The tickets due are then cut into batches (`AdmissionTicketBatchDue`) that every
/// document worker takes from.
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
            let due = try await transaction.query(
                "SELECT candidate_id FROM admission_ticket_document WHERE run_id = \(event.runID) AND made_at IS NULL ORDER BY candidate_id", logger: logger
            ).decode(Int64.self).reduce(into: [Int64]()) { $0.append($1) }
            try await Self.batches(of: due, run: event.runID, in: transaction, logger: logger)
        case AdmissionTicketsChanged.eventType:
            let event = try Envelope<AdmissionTicketsChanged>.decode(message.body).event
            try await transaction.query(
                """
                INSERT INTO admission_ticket_document (run_id, candidate_id, version) SELECT \(event.runID), unnest(\(event.candidateIDs)::int8[]), 2
                ON CONFLICT (run_id, candidate_id) DO UPDATE
                SET version = admission_ticket_document.version + 1, due_since = now(), made_at = NULL
                """, logger: logger)
            try await Self.batches(of: event.candidateIDs.sorted(), run: event.runID, in: transaction, logger: logger)
        default:
            return
        }
    }

    /// Small enough that a batch takes seconds on one core, so the work spreads evenly.
    static let batchSize = 100

    static func batches(of candidates: [Int64], run: UUID, in transaction: PostgresConnection, logger: Logger) async throws {
        let events = try stride(from: 0, to: candidates.count, by: batchSize).map { start in
            let batch = AdmissionTicketBatchDue(runID: run, candidateIDs: Array(candidates[start..<min(start + batchSize, candidates.count)]))
            return try OutboxEvent(Envelope(event: batch), aggregateID: "tickets-\(run)", routingKey: AdmissionTicketBatchDue.routingKey)
        }
        try await Outbox.append(events, in: transaction, logger: logger)
    }
}
