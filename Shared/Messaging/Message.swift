/// A message to publish. It is always persistent and `mandatory`: a message that no queue takes
/// is an error, not a silent loss.
public struct OutgoingMessage: Sendable {
    public var exchange: String
    public var routingKey: String
    /// Unique per message; consumers use it to apply a message once.
    public var messageID: String
    /// The contract's name, e.g. `CandidateSubmitted`.
    public var type: String
    public var body: [UInt8]
    public var headers: [String: String]

    public init(exchange: String, routingKey: String, messageID: String, type: String, body: [UInt8], headers: [String: String] = [:]) {
        self.exchange = exchange
        self.routingKey = routingKey
        self.messageID = messageID
        self.type = type
        self.body = body
        self.headers = headers
    }
}

/// A message taken from a queue and not yet acknowledged.
public struct IncomingMessage: Sendable {
    public var deliveryTag: UInt64
    /// Which connection delivered it: an acknowledgement only means something on that one.
    public var connectionGeneration: Int
    public var redelivered: Bool
    public var messageID: String?
    public var type: String?
    public var body: [UInt8]
    public var headers: [String: String]
    /// When it was published (seconds since 1970), for the consumer's lag.
    public var publishedAt: Int?
}
