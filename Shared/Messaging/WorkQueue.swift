/// A queue of work that one kind of consumer drains, with everything around it: where failed
/// messages wait before another try, and where they end when they keep failing.
///
///     exam.events ──(binding keys)──▶ Q ──handler fails──▶ Q.retry.<n> ──TTL──▶ Q
///                                     │                       (one per delay)
///                                     └──attempts used up, or crashes past the delivery limit──▶ exam.dead ──▶ Q.dead
public struct WorkQueue: Sendable, Hashable {
    public let name: String
    /// Routing keys of `exam.events` this queue takes (event types, e.g. `candidate.submitted`).
    public let bindingKeys: [String]
    /// Waits before the 2nd, 3rd, ... attempt; the last one repeats.
    public let retryDelays: [Duration]
    /// Attempts before a failing message is dead-lettered; also the broker's delivery limit, the
    /// safety net for a message that crashes its consumer before it can count the attempt.
    public let maxAttempts: Int

    public init(name: String, bindingKeys: [String], retryDelays: [Duration] = [.seconds(1), .seconds(10), .seconds(60)], maxAttempts: Int = 5) {
        precondition(maxAttempts >= 1 && !retryDelays.isEmpty)
        self.name = name
        self.bindingKeys = bindingKeys
        self.retryDelays = retryDelays
        self.maxAttempts = maxAttempts
    }

    public var deadLetterQueue: String { "\(name).dead" }

    /// The retry queue a message waits in before its `attempt`-th try (attempt 2 is the first retry).
    public func retryQueue(beforeAttempt attempt: Int) -> String {
        let delay = retryDelays[min(max(attempt - 2, 0), retryDelays.count - 1)]
        return "\(name).retry.\(delay.milliseconds)ms"
    }

    /// Its queues and bindings. Every queue is a quorum queue, and dead-lettering is
    /// at-least-once, so that no step of a message's way loses it.
    var topology: Topology {
        let safeDeadLettering: [String: AMQPArgument] = [
            "x-dead-letter-strategy": .string("at-least-once"), "x-overflow": .string("reject-publish"),
        ]
        let work = QueueDeclaration.quorum(
            name,
            arguments: safeDeadLettering.merging([
                "x-dead-letter-exchange": .string(Exchanges.dead), "x-dead-letter-routing-key": .string(name),
                "x-delivery-limit": .integer(Int64(maxAttempts)),
            ]) { $1 })
        let retries = Set(retryDelays).sorted().map { delay in
            QueueDeclaration.quorum(
                "\(name).retry.\(delay.milliseconds)ms",
                arguments: safeDeadLettering.merging([
                    "x-message-ttl": .integer(Int64(delay.milliseconds)),
                    // The default exchange routes by queue name: back to the work queue.
                    "x-dead-letter-exchange": .string(""), "x-dead-letter-routing-key": .string(name),
                ]) { $1 })
        }
        return Topology(
            exchanges: Exchanges.all,
            queues: [work] + retries + [.quorum(deadLetterQueue)],
            bindings: bindingKeys.map { BindingDeclaration(queue: name, exchange: Exchanges.events, routingKey: $0) }
                + [BindingDeclaration(queue: deadLetterQueue, exchange: Exchanges.dead, routingKey: name)])
    }
}

/// The system's exchanges: events go out on one topic exchange; dead letters on another.
public enum Exchanges {
    public static let events = "exam.events"
    public static let dead = "exam.dead"
    static let all = [ExchangeDeclaration(name: events, kind: .topic), ExchangeDeclaration(name: dead, kind: .direct)]
}

extension Topology {
    /// Everything the given queues need, for declaring at start.
    public init(workQueues: [WorkQueue]) {
        self.init(exchanges: Exchanges.all)
        for queue in workQueues {
            let topology = queue.topology
            queues += topology.queues
            bindings += topology.bindings
        }
    }
}

extension Duration {
    var milliseconds: Int { Int(components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000) }
}
