import Access
import CandidateLifecycle
import Contracts
import Foundation
import Hummingbird
import Logging
import Messaging
import PostgresNIO
import RegistrationService
import ServiceRuntime
import Storage

/// Confirming a candidate: the row lock on the candidate, the county's counter, the confirmation,
/// the state change, its transition, the audit row and the event, in one transaction. Holders of
/// Hong Kong, Macau, Taiwan or foreign documents are referred to their city first; the city's
/// approval confirms them the same way.
struct ConfirmationStore: Sendable {
    let postgres: PostgresClient
    let cipher: PersonalDataCipher
    let logger: Logger
    /// The registration's rules, asked again at the moment of confirmation.
    let formCheck: SubmittedFormCheck

    enum Outcome: Sendable {
        case confirmed(candidateID: Int64, number: String)
        case referredToCity(candidateID: Int64)
        case notFound
        case otherPoint(candidateID: Int64)
        case wrongState(String, number: String?)
        case photoMissing
        /// The submitted form no longer passes the rules of the moment (the year's data changed).
        case formInvalid([FieldError])
        case scanMissing
        case notesMissing
    }

    func confirm(_ document: IdentityDocument, notes: String?, by operatorMember: StaffMember, year: Int, clientAddress: String) async throws -> Outcome {
        let lookup = ByteBuffer(bytes: cipher.documentLookup(document))
        // The rules are asked before the lock is taken: they read through the pool, and a
        // transaction waiting for a second connection could starve it under load.
        var problems: [FieldError] = []
        if let id = try await postgres.query("SELECT id FROM candidate_account WHERE document_number_lookup = \(lookup)", logger: logger)
            .decode(Int64.self).first(where: { _ in true })
        {
            problems = try await formCheck.problems(id) ?? []
        }
        return try await postgres.withTransaction(logger: logger) { connection in
            let rows = try await connection.query(
                """
                SELECT c.id, c.status, r.confirmation_point_id, p.county_id, k.candidate_number,
                       EXISTS (SELECT 1 FROM candidate_photo f WHERE f.candidate_id = c.id),
                       EXISTS (SELECT 1 FROM permit_scan s WHERE s.candidate_id = c.id)
                FROM candidate_account c
                LEFT JOIN registration r ON r.candidate_id = c.id
                LEFT JOIN confirmation_point p ON p.node_id = r.confirmation_point_id
                LEFT JOIN candidate_confirmation k ON k.candidate_id = c.id
                WHERE c.document_number_lookup = \(lookup)
                FOR UPDATE OF c
                """, logger: logger)
            var found: (Int64, String, String?, String?, String?, Bool, Bool)?
            for try await row in rows.decode((Int64, String, String?, String?, String?, Bool, Bool).self) { found = row }
            guard let (candidateID, status, pointID, countyID, existing, hasPhoto, hasScan) = found else { return .notFound }
            // "Not submitted yet" tells nothing; anything about another point's candidate would.
            if status == "registered" { return .wrongState(status, number: nil) }
            guard pointID == operatorMember.nodeID, let countyID else { return .otherPoint(candidateID: candidateID) }
            guard status == "submitted" else { return .wrongState(status, number: existing) }
            guard problems.isEmpty else { return .formInvalid(problems) }
            guard hasPhoto else { return .photoMissing }
            let actor = Actor(member: operatorMember, clientAddress: clientAddress)
            guard document.type == .residentID else {
                guard hasScan else { return .scanMissing }
                guard let notes else { return .notesMissing }
                try await referToCity(candidateID, notes: notes, year: year, actor: actor, on: connection)
                return .referredToCity(candidateID: candidateID)
            }
            let number = try await confirmLocked(
                candidateID, from: status, countyID: countyID, pointID: operatorMember.nodeID, year: year, actor: actor, on: connection)
            return .confirmed(candidateID: candidateID, number: number)
        }
    }

    /// Who acts, for the transition, the audit row and the confirmation.
    struct Actor: Sendable {
        let member: StaffMember
        let clientAddress: String
    }

    private func referToCity(_ candidateID: Int64, notes: String, year: Int, actor: Actor, on connection: PostgresConnection) async throws {
        // A case refused before and brought again starts afresh.
        try await connection.query(
            """
            INSERT INTO permit_review (candidate_id, year, point_id, notes, referred_by)
            VALUES (\(candidateID), \(year), \(actor.member.nodeID), \(notes), \(actor.member.id))
            ON CONFLICT (candidate_id) DO UPDATE SET year = excluded.year, point_id = excluded.point_id, notes = excluded.notes,
                referred_by = excluded.referred_by, referred_at = now(), decision = NULL, reason = NULL, decided_by = NULL, decided_at = NULL
            """, logger: logger)
        try await transition(candidateID, from: "submitted", to: .pendingCityReview, actor: actor, action: "candidate.refer_to_city", on: connection)
    }

    /// Gives the number and confirms a candidate whose row the caller has locked.
    private func confirmLocked(
        _ candidateID: Int64, from status: String, countyID: String, pointID: String, year: Int, actor: Actor, on connection: PostgresConnection
    ) async throws -> String {
        let counter = try await connection.query(
            """
            INSERT INTO candidate_number_counter (year, county_id, last_sequence) VALUES (\(year), \(countyID), 1)
            ON CONFLICT (year, county_id) DO UPDATE SET last_sequence = candidate_number_counter.last_sequence + 1
            RETURNING last_sequence
            """, logger: logger)
        var sequence = 0
        for try await value in counter.decode(Int.self) { sequence = value }
        guard let number = CandidateNumber(year: year, countyCode: countyID, sequence: sequence)?.description else {
            throw Refusal.conflict("candidate_number.exhausted", "本县考生号已用完，请联系省考试院")
        }
        try await connection.query(
            """
            INSERT INTO candidate_confirmation (candidate_id, year, candidate_number, confirmation_point_id, confirmed_by)
            VALUES (\(candidateID), \(year), \(number), \(pointID), \(actor.member.id))
            """, logger: logger)
        let event = CandidateConfirmed(candidateID: candidateID, year: year, candidateNumber: number, confirmationPointID: pointID)
        try await transition(
            candidateID, from: status, to: .confirmed, actor: actor, action: "candidate.confirm",
            event: try OutboxEvent(Envelope(event: event), aggregateID: "candidate-\(candidateID)", routingKey: CandidateConfirmed.routingKey),
            on: connection)
        return number
    }

    /// A staff member's move of a candidate whose row the caller has locked (from `status`,
    /// read under that lock).
    private func transition(
        _ candidateID: Int64, from: String, to: CandidateStatus, actor: Actor, action: String, reason: String? = nil, event: OutboxEvent? = nil,
        on connection: PostgresConnection
    ) async throws {
        guard let from = CandidateStatus(rawValue: from) else { throw Refusal.conflict("candidate.state", "考生状态有误") }
        let move = try CandidateMove(
            candidateID, from: from, to: to, by: .staff(actor.member, action: action, clientAddress: actor.clientAddress), reason: reason, event: event)
        try await CandidateLifecycle.apply([move], on: connection, logger: logger)
    }

    // MARK: the city's review of permit holders

    struct PermitCase: Codable, Sendable {
        let candidateID: Int64
        /// Who the city is deciding on: the name and the masked document number.
        let name: String
        let documentNumberMasked: String
        let pointID: String
        let documentType: String
        let notes: String
        let scanCount: Int
        let referredAt: Date
    }

    /// Open cases whose point lies under `path`.
    func openPermitCases(under path: String) async throws -> [PermitCase] {
        let rows = try await postgres.query(
            """
            SELECT v.candidate_id, c.name, c.document_number_masked, v.point_id, c.document_type, v.notes,
                   (SELECT count(*)::int FROM permit_scan s WHERE s.candidate_id = v.candidate_id), v.referred_at
            FROM permit_review v JOIN candidate_account c ON c.id = v.candidate_id JOIN organisation_node p ON p.id = v.point_id
            WHERE v.decision IS NULL AND p.path <@ \(path)::ltree
            ORDER BY v.referred_at LIMIT 500
            """, logger: logger)
        var cases: [PermitCase] = []
        for try await (id, name, masked, point, type, notes, scans, referred) in rows.decode((Int64, String, String, String, String, String, Int, Date).self) {
            cases.append(PermitCase(
                candidateID: id, name: name, documentNumberMasked: masked, pointID: point, documentType: type, notes: notes, scanCount: scans,
                referredAt: referred))
        }
        return cases
    }

    /// The path of the point an open case belongs to (for the scope check), nil if there is none.
    func openPermitCasePath(_ candidateID: Int64) async throws -> String? {
        try await postgres.query(
            """
            SELECT p.path::text FROM permit_review v JOIN organisation_node p ON p.id = v.point_id
            WHERE v.candidate_id = \(candidateID) AND v.decision IS NULL
            """, logger: logger
        ).decode(String.self).first { _ in true }
    }

    enum Decision: Sendable {
        case approve
        case refuse(reason: String)
    }

    /// The city decides an open case: approval confirms the candidate (with a number), refusal
    /// returns them to `submitted` with the reason. nil when the case is no longer open.
    func decidePermitCase(_ candidateID: Int64, _ decision: Decision, year: Int, actor: Actor) async throws -> String?? {
        try await postgres.withTransaction(logger: logger) { connection in
            let rows = try await connection.query(
                """
                SELECT c.status, v.point_id, p.county_id
                FROM candidate_account c JOIN permit_review v ON v.candidate_id = c.id JOIN confirmation_point p ON p.node_id = v.point_id
                WHERE c.id = \(candidateID) AND v.decision IS NULL
                FOR UPDATE OF c, v
                """, logger: logger)
            var found: (String, String, String)?
            for try await row in rows.decode((String, String, String).self) { found = row }
            guard let (status, pointID, countyID) = found, status == "pending_city_review" else { return nil }
            switch decision {
            case .approve:
                try await connection.query(
                    "UPDATE permit_review SET decision = 'approved', decided_by = \(actor.member.id), decided_at = now() WHERE candidate_id = \(candidateID)",
                    logger: logger)
                let number = try await confirmLocked(
                    candidateID, from: status, countyID: countyID, pointID: pointID, year: year, actor: actor, on: connection)
                return .some(number)
            case .refuse(let reason):
                try await connection.query(
                    """
                    UPDATE permit_review SET decision = 'refused', reason = \(reason), decided_by = \(actor.member.id), decided_at = now()
                    WHERE candidate_id = \(candidateID)
                    """, logger: logger)
                try await transition(
                    candidateID, from: status, to: .submitted, actor: actor, action: "candidate.permit_refuse", reason: reason, on: connection)
                return .some(nil)
            }
        }
    }

    /// The year registrations are taken for (the current exam year).
    func currentYear() async throws -> Int? {
        try await CurrentExamYear.year(postgres: postgres, logger: logger)
    }
}
