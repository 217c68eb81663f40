import Logging
import PostgresNIO

/// What a worker does with one message of its queue.
///
/// `handle` runs inside the PostgreSQL transaction that also records the message's id as
/// processed by this consumer; the message is acknowledged only after that transaction commits.
/// A redelivered message finds its id recorded and is skipped, so its effects happen once.
/// Throwing rolls the transaction back and sends the message to its retry queue.
public protocol MessageHandler: Sendable {
    /// Names this consumer in `processed_message`; two handlers of one queue need two names.
    var consumerName: String { get }
    func handle(_ message: IncomingMessage, in transaction: PostgresConnection, logger: Logger) async throws
    /// The new messages of a batch, in one transaction: a handler that can write them with one
    /// statement saves a statement per message (by default, one `handle` each).
    func handle(_ messages: [IncomingMessage], in transaction: PostgresConnection, logger: Logger) async throws
}

extension MessageHandler {
    public func handle(_ messages: [IncomingMessage], in transaction: PostgresConnection, logger: Logger) async throws {
        for message in messages { try await handle(message, in: transaction, logger: logger) }
    }
}
