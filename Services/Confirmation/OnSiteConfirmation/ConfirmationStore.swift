import Access
import Contracts
import Foundation
import Hummingbird
import Logging
import Messaging
import PostgresNIO
import ServiceRuntime

/// Confirming a candidate: the row lock on the candidate, the county's counter, the confirmation,
/// the state change, its transition, the audit row and the event, in one transaction.
struct ConfirmationStore: Sendable {
    let postgres: PostgresClient
    let cipher: PersonalDataCipher
    let logger: Logger

    enum Outcome: Sendable {
        case confirmed(candidateID: Int64, number: String)
        case notFound
        case otherPoint(candidateID: Int64)
        case wrongState(String, number: String?)
    }

    func confirm(_ document: IdentityDocument, by operatorMember: StaffMember, year: Int, clientAddress: String) async throws -> Outcome {
        let lookup = ByteBuffer(bytes: cipher.documentLookup(document))
        return try await postgres.withTransaction(logger: logger) { connection in
            let rows = try await connection.query(
                """
                SELECT c.id, c.status, r.confirmation_point_id, p.county_id, k.candidate_number
                FROM candidate_account c
                LEFT JOIN registration r ON r.candidate_id = c.id
                LEFT JOIN confirmation_point p ON p.node_id = r.confirmation_point_id
                LEFT JOIN candidate_confirmation k ON k.candidate_id = c.id
                WHERE c.document_number_lookup = \(lookup)
                FOR UPDATE OF c
                """, logger: logger)
            var found: (Int64, String, String?, String?, String?)?
            for try await row in rows.decode((Int64, String, String?, String?, String?).self) { found = row }
            guard let (candidateID, status, pointID, countyID, existing) = found else { return .notFound }
            // "Not submitted yet" tells nothing; anything about another point's candidate would.
            if status == "registered" { return .wrongState(status, number: nil) }
            guard pointID == operatorMember.nodeID, let countyID else { return .otherPoint(candidateID: candidateID) }
            guard status == "submitted" else { return .wrongState(status, number: existing) }

            let counter = try await connection.query(
                """
                INSERT INTO candidate_number_counter (year, county_id, last_sequence) VALUES (\(year), \(countyID), 1)
                ON CONFLICT (year, county_id) DO UPDATE SET last_sequence = candidate_number_counter.last_sequence + 1
                RETURNING last_sequence
                """, logger: logger)
            var sequence = 0
            for try await value in counter.decode(Int.self) { sequence = value }
            guard let number = CandidateNumber(year: year, countyCode: countyID, sequence: sequence)?.description else {
                throw APIError(.conflict, code: "candidate_number.exhausted", message: "本县考生号已用完，请联系省考试院")
            }
            try await connection.query(
                """
                INSERT INTO candidate_confirmation (candidate_id, year, candidate_number, confirmation_point_id, confirmed_by)
                VALUES (\(candidateID), \(year), \(number), \(operatorMember.nodeID), \(operatorMember.id))
                """, logger: logger)
            try await connection.query("UPDATE candidate_account SET status = 'confirmed' WHERE id = \(candidateID)", logger: logger)
            try await connection.query(
                """
                INSERT INTO candidate_transition (candidate_id, from_status, to_status, actor_kind, actor_id, client_address)
                VALUES (\(candidateID), 'submitted', 'confirmed', 'staff', \(operatorMember.id), \(clientAddress))
                """, logger: logger)
            try await AuditLog.record(
                .staff(operatorMember), action: "candidate.confirm", target: .candidate(candidateID), clientAddress: clientAddress,
                on: connection, logger: logger)
            let event = CandidateConfirmed(candidateID: candidateID, year: year, candidateNumber: number, confirmationPointID: operatorMember.nodeID)
            try await Outbox.append(
                [try OutboxEvent(Envelope(event: event), aggregateID: "candidate-\(candidateID)", routingKey: CandidateConfirmed.routingKey)],
                in: connection, logger: logger)
            return .confirmed(candidateID: candidateID, number: number)
        }
    }

    /// The year registrations are taken for (the current exam year).
    func currentYear() async throws -> Int? {
        for try await year in try await postgres.query("SELECT year FROM exam_year WHERE current", logger: logger).decode(Int.self) {
            return year
        }
        return nil
    }
}
