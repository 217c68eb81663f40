/// A value in a declaration's arguments (`x-queue-type`, `x-dead-letter-exchange`, ...).
public enum AMQPArgument: Sendable, Equatable {
    case string(String)
    case integer(Int64)
}

public struct ExchangeDeclaration: Sendable {
    public enum Kind: String, Sendable { case direct, topic, fanout, headers }
    public var name: String
    public var kind: Kind

    public init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }
}

/// Queues are always durable: messages acknowledged to a sender must survive a broker restart.
public struct QueueDeclaration: Sendable {
    public var name: String
    public var arguments: [String: AMQPArgument]

    public init(name: String, arguments: [String: AMQPArgument] = [:]) {
        self.name = name
        self.arguments = arguments
    }

    /// A replicated, durable work queue (RabbitMQ's quorum queue).
    public static func quorum(_ name: String, arguments: [String: AMQPArgument] = [:]) -> QueueDeclaration {
        QueueDeclaration(name: name, arguments: arguments.merging(["x-queue-type": .string("quorum")]) { $1 })
    }
}

public struct BindingDeclaration: Sendable {
    public var queue: String
    public var exchange: String
    public var routingKey: String

    public init(queue: String, exchange: String, routingKey: String) {
        self.queue = queue
        self.exchange = exchange
        self.routingKey = routingKey
    }
}

/// Exchanges, queues and bindings, declared together and idempotently at start.
public struct Topology: Sendable {
    public var exchanges: [ExchangeDeclaration]
    public var queues: [QueueDeclaration]
    public var bindings: [BindingDeclaration]

    public init(exchanges: [ExchangeDeclaration] = [], queues: [QueueDeclaration] = [], bindings: [BindingDeclaration] = []) {
        self.exchanges = exchanges
        self.queues = queues
        self.bindings = bindings
    }
}
