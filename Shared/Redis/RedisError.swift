/// Why a Redis command failed. `code` is what callers branch on (`.unavailable` means "answer 503");
/// `message` carries the detail for logs and never contains a command's arguments.
public struct RedisError: Error, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String { case unavailable, server, protocolViolation }
        private let base: Base
        /// The server could not be reached, or the connection broke or timed out.
        public static let unavailable = Code(base: .unavailable)
        /// Redis answered with an error reply (a wrong type, a script error, ...).
        public static let server = Code(base: .server)
        /// The reply was not what the caller expected.
        public static let protocolViolation = Code(base: .protocolViolation)
        public var description: String { base.rawValue }
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "Redis \(code): \(message)" }
}
