import Access
import Contracts
import Foundation
import Logging
import Messaging
import PostgresNIO
import Storage

/// Awards the year's automatic bonus policies (an age on a date of the year, SPEC §9) when a
/// candidate is confirmed, from the birth date of their locked form: no claim, no review. A
/// repeated event finds the award there and adds nothing.
struct AutomaticBonusAwarder: MessageHandler {
    let consumerName = "review.automatic-bonus"
    let cipher: PersonalDataCipher

    func handle(_ message: IncomingMessage, in transaction: PostgresConnection, logger: Logger) async throws {
        guard message.type == CandidateConfirmed.eventType else { return }
        let event = try Envelope<CandidateConfirmed>.decode(message.body).event
        let policies = try await Self.policies(year: event.year, on: transaction, logger: logger)
        guard policies.byCode.values.contains(where: { $0.automatic != nil }) else { return }
        guard let (sealed, keyID) = try await transaction.query(
            "SELECT basic_sealed, personal_data_key_id FROM registration WHERE candidate_id = \(event.candidateID) AND basic_sealed IS NOT NULL",
            logger: logger
        ).decode((ByteBuffer, String).self).first(where: { _ in true }) else { return }
        let basic = try cipher.open(.init(keyID: keyID, bytes: Array(buffer: sealed)), column: SealedColumn.registrationBasic)
        let object = (try JSONSerialization.jsonObject(with: Data(basic.utf8)) as? [String: Any]) ?? [:]
        let awards = policies.automaticAwards(born: object["birthDate"] as? String ?? "")
        guard !awards.isEmpty else { return }
        try await transaction.query(
            """
            INSERT INTO bonus_award (candidate_id, year, policy_code, source, decision)
            SELECT \(event.candidateID), \(event.year), unnest(\(awards)::text[]), 'automatic', 'accepted'
            ON CONFLICT DO NOTHING
            """, logger: logger)
        try await StatisticsMarks.mark([event.candidateID], on: transaction, logger: logger)
    }

    /// The bonus policies of `year` (the event's, current or not).
    static func policies(year: Int, on connection: PostgresConnection, logger: Logger) async throws -> BonusPolicies {
        var codes: [CurrentExamYear.Code] = []
        for try await (code, name, points, age, on) in try await connection.query(
            """
            SELECT p->>'code', p->>'name', (p->>'points')::int, (p->'automatic'->>'minimumAge')::int, p->'automatic'->>'on'
            FROM exam_year y, jsonb_array_elements(coalesce(y.document->'codeLists'->'bonusPolicies', '[]')) p WHERE y.year = \(year)
            """, logger: logger
        ).decode((String, String, Int?, Int?, String?).self) {
            codes.append(CurrentExamYear.Code(code: code, name: name, points: points, minimumAge: age, ageOn: on))
        }
        return BonusPolicies(year: year, codes: codes)
    }
}
