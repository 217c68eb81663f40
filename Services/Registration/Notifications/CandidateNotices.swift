import Access
import Contracts
import Foundation
import Logging
import Messaging
import Payments
import PostgresNIO
import ServiceLifecycle

/// Tells candidates by SMS when they are confirmed (with their 考生号) and when their payment is
/// received: the consumer of `candidate.confirmed` and `payment.completed` on the registration
/// worker. A notice is written in the transaction that records the event as processed, then sent
/// by `CandidateNoticeSender` (a crash between sending and marking sends it once more, never
/// loses it).
struct CandidateNoticeRecorder: MessageHandler {
    let consumerName = "registration.candidate-notices"

    func handle(_ message: IncomingMessage, in transaction: PostgresConnection, logger: Logger) async throws {
        try await handle([message], in: transaction, logger: logger)
    }

    /// A batch's notices in one statement.
    func handle(_ messages: [IncomingMessage], in transaction: PostgresConnection, logger: Logger) async throws {
        var ids: [UUID] = [], candidates: [Int64] = [], kinds: [String] = [], texts: [String] = []
        for message in messages {
            switch message.type {
            case CandidateConfirmed.eventType:
                let envelope = try Envelope<CandidateConfirmed>.decode(message.body)
                ids.append(envelope.id)
                candidates.append(envelope.event.candidateID)
                kinds.append("confirmed")
                texts.append("【成人高考报名】您已完成现场确认，考生号 \(envelope.event.candidateNumber)。请在缴费截止前登录报名系统完成网上缴费。")
            case PaymentCompleted.eventType:
                let envelope = try Envelope<PaymentCompleted>.decode(message.body)
                ids.append(envelope.id)
                candidates.append(envelope.event.candidateID)
                kinds.append("paid")
                texts.append("【成人高考报名】您的报名费 \(Yuan.text(envelope.event.amountFen)) 元已缴纳成功，报名有效。请在规定时间内登录报名系统打印准考证。")
            default:
                logger.warning("candidate notice: an event of another type", metadata: ["type": "\(message.type ?? "-")"])
            }
        }
        guard !ids.isEmpty else { return }
        try await transaction.query(
            """
            INSERT INTO candidate_notice (message_id, candidate_id, kind, text)
            SELECT * FROM unnest(\(ids)::uuid[], \(candidates)::bigint[], \(kinds)::text[], \(texts)::text[])
            ON CONFLICT (message_id) DO NOTHING
            """, logger: logger)
    }
}

/// Sends the notices not yet sent, oldest first, up to 100 a pass and 10 at once, and marks
/// them in one statement in the transaction that holds their rows (`SKIP LOCKED`: any number of
/// workers share them). A failed send is tried again on later passes, at most five times.
struct CandidateNoticeSender: Service {
    let postgres: PostgresClient
    let cipher: PersonalDataCipher
    let sms: any SMSSender
    let logger: Logger
    var interval: Duration = .seconds(1)
    static let perPass = 100
    static let sendingAtOnce = 10

    func run() async throws {
        await PeriodicWork.run(every: interval, logger: logger, failure: "candidate notices not sent") { try await sendNext() > 0 }
    }

    /// What became of one notice this pass.
    struct Outcome: Sendable {
        let id: UUID
        /// nil: sent.
        let failure: String?
        /// The phone cannot be opened (its key is gone): it never will be, so no more attempts.
        let hopeless: Bool
    }

    /// Sends up to `perPass` waiting notices; how many it handled.
    func sendNext() async throws -> Int {
        try await postgres.withTransaction(logger: logger) { connection in
            var due: [(UUID, String, ByteBuffer, String)] = []
            for try await row in try await connection.query(
                """
                SELECT n.message_id, n.text, c.phone_sealed, c.personal_data_key_id
                FROM candidate_notice n JOIN candidate_account c ON c.id = n.candidate_id
                WHERE n.sent_at IS NULL AND n.attempts < 5
                ORDER BY n.created_at LIMIT \(Self.perPass) FOR UPDATE OF n SKIP LOCKED
                """, logger: logger
            ).decode((UUID, String, ByteBuffer, String).self) {
                due.append(row)
            }
            guard !due.isEmpty else { return 0 }
            let outcomes = await withTaskGroup(of: Outcome.self) { group in
                var outcomes: [Outcome] = []
                for (index, (id, text, sealed, keyID)) in due.enumerated() {
                    if index >= Self.sendingAtOnce, let outcome = await group.next() { outcomes.append(outcome) }
                    group.addTask { await send(id, text, sealed: sealed, keyID: keyID) }
                }
                for await outcome in group { outcomes.append(outcome) }
                return outcomes
            }
            try await connection.query(
                """
                UPDATE candidate_notice n
                SET sent_at = CASE WHEN t.failure = '' THEN now() END,
                    attempts = CASE WHEN t.hopeless THEN 5 ELSE n.attempts + 1 END,
                    last_error = nullif(t.failure, '')
                FROM unnest(\(outcomes.map(\.id))::uuid[], \(outcomes.map { $0.failure ?? "" })::text[], \(outcomes.map(\.hopeless))::bool[])
                    AS t(id, failure, hopeless)
                WHERE n.message_id = t.id
                """, logger: logger)
            return due.count
        }
    }

    private func send(_ id: UUID, _ text: String, sealed: ByteBuffer, keyID: String) async -> Outcome {
        let phone: String
        do {
            phone = try cipher.open(.init(keyID: keyID, bytes: Array(buffer: sealed)), column: CandidateAccountStore.phoneColumn)
        } catch {
            return Outcome(id: id, failure: "phone cannot be opened", hopeless: true)
        }
        do {
            try await sms.send(text, to: phone)
            return Outcome(id: id, failure: nil, hopeless: false)
        } catch {
            return Outcome(id: id, failure: String(describing: type(of: error)), hopeless: false)
        }
    }
}
