/// Why a broker operation failed. Callers branch on `code`; `message` is detail for logs.
public struct AMQPError: Error, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String { case unavailable, refused, unroutable, nacked, protocolViolation }
        private let base: Base
        /// The broker could not be reached or the connection broke; a new connection may work.
        public static let unavailable = Code(base: .unavailable)
        /// The broker refused the operation and closed the channel (a declaration that does not
        /// match, a queue that does not exist, access refused, ...).
        public static let refused = Code(base: .refused)
        /// A `mandatory` message matched no queue and came back.
        public static let unroutable = Code(base: .unroutable)
        /// The broker did not take responsibility for a published message.
        public static let nacked = Code(base: .nacked)
        public static let protocolViolation = Code(base: .protocolViolation)
        public var description: String { base.rawValue }
    }

    public let code: Code
    public let message: String
    /// With `.unroutable`: the ids of the messages that came back; the rest were confirmed.
    public let unroutableMessageIDs: [String]

    public init(_ code: Code, _ message: String, unroutableMessageIDs: [String] = []) {
        self.code = code
        self.message = message
        self.unroutableMessageIDs = unroutableMessageIDs
    }

    public var description: String { "AMQP \(code): \(message)" }
}
