import Contracts
import Foundation
import Logging
import Messaging
import PostgresNIO

/// The bulk work every document worker takes from `documents.render`: batches of admission
/// tickets and the rooms of site packs. Each message's documents are drawn, written and indexed
/// before it is acknowledged; one redelivered finds its documents made and does nothing.
struct BulkDocuments: MessageHandler {
    let consumerName = "documents.render"
    let tickets: AdmissionTicketMaker
    let packs: SitePackMaker

    func handle(_ message: IncomingMessage, in transaction: PostgresConnection, logger: Logger) async throws {
        switch message.type {
        case AdmissionTicketBatchDue.eventType:
            let batch = try Envelope<AdmissionTicketBatchDue>.decode(message.body).event
            try await tickets.make(run: batch.runID, candidates: batch.candidateIDs, on: transaction, logger: logger)
        case SitePackRoomDue.eventType:
            try await packs.make(try Envelope<SitePackRoomDue>.decode(message.body).event, on: transaction, logger: logger)
        default:
            return
        }
    }
}
