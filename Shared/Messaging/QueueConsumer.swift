import Foundation
import Logging
import Metrics
import PostgresNIO
import ServiceLifecycle
import Settings
import Synchronization

/// Drains one work queue with up to `concurrency` messages in hand at once (the prefetch window),
/// applying those that arrive together in batches of up to `batchSize` per transaction.
///
/// Messages arrive through an `AMQPReceiver` (a connection and thread of its own); handlers run
/// as tasks. A message is acknowledged only after its handler's transaction committed; a failure
/// goes to a retry queue, and after `maxAttempts` to the dead-letter queue with the last error in
/// its headers. When the broker
/// goes away the consumer reconnects with backoff; unacknowledged messages come back to the queue.
/// On graceful shutdown it stops taking messages, finishes those in hand, then closes.
public final class QueueConsumer: Service, Sendable {
    private let queue: WorkQueue
    private let handler: any MessageHandler
    private let concurrency: Int
    private let batchSize: Int
    private let gather: Duration
    private let settings: AMQPSettings
    private let postgres: PostgresClient
    /// Publishes retries and dead letters; a connection of its own.
    private let publisher: AMQPClient
    private let logger: Logger
    private let receiver: AMQPReceiver
    private let stopping = Atomic<Bool>(false)
    private let metrics: ConsumerMetrics

    /// `gather`: how long a batch's first message waits for others to join it. Events that are
    /// only counted or queued (statistics, notices) trade that much delay for fewer, larger
    /// transactions when they trickle in.
    public init(
        queue: WorkQueue, handler: any MessageHandler, concurrency: Int, batchSize: Int = 50, gather: Duration = .zero,
        settings: AMQPSettings, postgres: PostgresClient, logger: Logger
    ) {
        self.batchSize = max(batchSize, 1)
        self.gather = gather
        self.queue = queue
        self.handler = handler
        self.concurrency = max(concurrency, 1)
        self.settings = settings
        self.postgres = postgres
        self.publisher = AMQPClient(settings: settings, topology: Topology(workQueues: [queue]), logger: logger)
        self.logger = logger
        self.metrics = ConsumerMetrics(queue: queue.name)
        self.receiver = AMQPReceiver(
            settings: settings, queue: queue.name, topology: Topology(workQueues: [queue]), prefetch: self.concurrency, logger: logger)
    }

    public func run() async throws {
        let (deliveries, continuation) = AsyncStream<[IncomingMessage]>.makeStream()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.publisher.run() }
            group.addTask { await self.watchDepth() }
            let receiving = Task {
                try await self.receiver.run(
                    batchLimit: self.batchSize, gather: self.gather, deliver: { continuation.yield($0) }, receivingEnded: { continuation.finish() })
            }
            await withGracefulShutdownHandler {
                // One task per batch that arrived together: the prefetch window bounds the messages in hand.
                await withTaskGroup(of: Void.self) { handlers in
                    for await batch in deliveries {
                        handlers.addTask { await self.process(batch) }
                    }
                }
            } onGracefulShutdown: {
                self.stopping.store(true, ordering: .relaxed)
                self.receiver.stopReceiving()
            }
            // Every message in hand was handled and its settlement queued.
            receiver.finish()
            try await receiving.value  // returns after it sent the last acknowledgements
            group.cancelAll()
        }
    }

    // MARK: handling

    /// Messages that arrived together are applied in one transaction (one commit instead of one
    /// per message); if any of them fails, each is tried alone so that only the failing one retries.
    private func process(_ batch: [IncomingMessage]) async {
        guard batch.count > 1 else {
            if let only = batch.first { await process(only) }
            return
        }
        let identified = batch.compactMap { message in message.messageID.flatMap(UUID.init(uuidString:)).map { (message, $0) } }
        guard identified.count == batch.count else {
            for message in batch { await process(message) }
            return
        }
        let started = ContinuousClock.now
        do {
            let consumer = handler.consumerName
            let ids = identified.map(\.1)
            let applied = try await postgres.withTransaction(logger: logger) { transaction in
                var fresh = Set<UUID>()
                for try await id in try await transaction.query(
                    """
                    INSERT INTO processed_message (consumer, message_id) SELECT \(consumer), unnest(\(ids)::uuid[])
                    ON CONFLICT DO NOTHING RETURNING message_id
                    """, logger: logger
                ).decode(UUID.self) {
                    fresh.insert(id)
                }
                let count = fresh.count
                // remove: a message twice in one batch (a redelivery beside its retry) is applied once.
                var messages: [IncomingMessage] = []
                for (message, id) in identified where fresh.remove(id) != nil { messages.append(message) }
                if !messages.isEmpty { try await handler.handle(messages, in: transaction, logger: logger) }
                return count
            }
            for message in batch { receiver.acknowledge(message) }
            metrics.handled.increment(by: applied)
            metrics.duplicates.increment(by: batch.count - applied)
            metrics.latency.recordNanoseconds((ContinuousClock.now - started).nanoseconds)
        } catch {
            for message in batch { await process(message) }
        }
    }

    private func process(_ message: IncomingMessage) async {
        let started = ContinuousClock.now
        if let publishedAt = message.publishedAt {
            metrics.lag.recordSeconds(max(Date().timeIntervalSince1970 - Double(publishedAt), 0))
        }
        guard let id = message.messageID.flatMap(UUID.init(uuidString:)) else {
            await giveUp(message, reason: "the message has no valid message id")
            return
        }
        do {
            let consumer = handler.consumerName
            let applied = try await postgres.withTransaction(logger: logger) { transaction in
                let recorded = try await transaction.query(
                    "INSERT INTO processed_message (consumer, message_id) VALUES (\(consumer), \(id)) ON CONFLICT DO NOTHING RETURNING true",
                    logger: logger
                ).decode(Bool.self).first { _ in true }
                guard recorded == true else { return false }
                try await handler.handle(message, in: transaction, logger: logger)
                return true
            }
            receiver.acknowledge(message)
            (applied ? metrics.handled : metrics.duplicates).increment()
            metrics.latency.recordNanoseconds((ContinuousClock.now - started).nanoseconds)
        } catch {
            metrics.failed.increment()
            await retry(message, after: error)
        }
    }

    /// Another attempt later, through the retry queue for that attempt; or the dead-letter queue
    /// once the attempts are used up. The original is acknowledged only once its copy is confirmed.
    private func retry(_ message: IncomingMessage, after error: any Error) async {
        let attempt = Int(message.headers["x-attempt"] ?? "") ?? 1
        // The handler's own error, not the transaction wrapper around it.
        let cause = (error as? PostgresTransactionError)?.closureError ?? error
        let reason = String(String(describing: cause).prefix(500))
        guard attempt < queue.maxAttempts else {
            await giveUp(message, reason: reason, attempts: attempt)
            return
        }
        logger.info("will retry", metadata: ["queue": "\(queue.name)", "attempt": "\(attempt)", "error": "\(reason)"])
        var headers = message.headers
        headers["x-attempt"] = "\(attempt + 1)"
        headers["x-last-error"] = reason
        await forward(message, exchange: "", routingKey: queue.retryQueue(beforeAttempt: attempt + 1), headers: headers)
    }

    private func giveUp(_ message: IncomingMessage, reason: String, attempts: Int = 1) async {
        logger.error("dead-lettered", metadata: ["queue": "\(queue.name)", "attempts": "\(attempts)", "error": "\(reason)"])
        var headers = message.headers
        headers["x-attempt"] = "\(attempts)"
        headers["x-last-error"] = reason
        headers["x-dead-lettered-from"] = queue.name
        metrics.deadLettered.increment()
        await forward(message, exchange: Exchanges.dead, routingKey: queue.name, headers: headers)
    }

    private func forward(_ message: IncomingMessage, exchange: String, routingKey: String, headers: [String: String]) async {
        let copy = OutgoingMessage(
            exchange: exchange, routingKey: routingKey, messageID: message.messageID ?? UUID().uuidString, type: message.type ?? "",
            body: message.body, headers: headers)
        do {
            try await publisher.publish([copy])
            receiver.acknowledge(message)
        } catch {
            // Not forwarded: back to the queue. The broker's delivery limit ends a loop of this.
            logger.warning("could not forward; requeued", metadata: ["queue": "\(queue.name)", "error": "\(error)"])
            receiver.requeue(message)
        }
    }

    /// Queue depth for /metrics, every few seconds.
    private func watchDepth() async {
        while !Task.isCancelled && !stopping.load(ordering: .relaxed) {
            if let (messages, _) = try? await publisher.inspect(queue: queue.name) {
                metrics.depth.record(messages)
            }
            try? await Task.sleep(for: .seconds(5))
        }
    }
}

struct ConsumerMetrics: Sendable {
    let handled: Counter
    let duplicates: Counter
    let failed: Counter
    let deadLettered: Counter
    let latency: Metrics.Timer
    let lag: Metrics.Timer
    let depth: Gauge

    init(queue: String) {
        let dimensions = [("queue", queue)]
        handled = Counter(label: "messages_handled_total", dimensions: dimensions)
        duplicates = Counter(label: "messages_duplicate_total", dimensions: dimensions)
        failed = Counter(label: "messages_failed_total", dimensions: dimensions)
        deadLettered = Counter(label: "messages_dead_lettered_total", dimensions: dimensions)
        latency = Metrics.Timer(label: "message_handler_duration", dimensions: dimensions)
        lag = Metrics.Timer(label: "message_lag", dimensions: dimensions)
        depth = Gauge(label: "queue_depth", dimensions: dimensions)
    }
}

extension Duration {
    var nanoseconds: Int64 { components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000 }
}
