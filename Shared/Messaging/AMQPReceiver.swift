import Logging
import NIOPosix
import Settings
import Synchronization

/// Receives a queue's messages on a broker connection and thread of its own, and settles them
/// (acknowledge or requeue) on that same connection, as AMQP requires.
///
/// It reconnects with backoff when the broker goes away; messages in hand then are already back
/// in the queue, so their settlements are dropped. `stopReceiving()` stops taking messages;
/// `run` returns once `finish()` says everything in hand was settled.
public final class AMQPReceiver: Sendable {
    private let settings: AMQPSettings
    private let queue: String
    private let topology: Topology
    private let prefetch: Int
    private let logger: Logger
    private let thread = NIOThreadPool(numberOfThreads: 1)
    private let settlements = Mutex<[Settlement]>([])
    private let inHand = Atomic<Int>(0)
    private let receiving = Atomic<Bool>(true)
    private let finished = Atomic<Bool>(false)

    enum Settlement {
        case ack(IncomingMessage)
        case requeue(IncomingMessage)
    }

    public init(settings: AMQPSettings, queue: String, topology: Topology, prefetch: Int, logger: Logger) {
        self.settings = settings
        self.queue = queue
        self.topology = topology
        self.prefetch = max(prefetch, 1)
        self.logger = logger
    }

    /// Calls `deliver` (on the receiver's thread) with the messages that arrived together, up to
    /// `batchLimit` at once, waiting up to `gather` after a batch's first message for more to
    /// join it; `receivingEnded` once no more will come.
    public func run(
        batchLimit: Int = 1, gather: Duration = .zero, deliver: @escaping @Sendable ([IncomingMessage]) -> Void,
        receivingEnded: @escaping @Sendable () -> Void
    ) async throws {
        thread.start()
        try await thread.runIfActive {
            self.loop(batchLimit: max(batchLimit, 1), gather: gather, deliver: deliver, receivingEnded: receivingEnded)
        }
        try await thread.shutdownGracefully()
    }

    public func acknowledge(_ message: IncomingMessage) { settlements.withLock { $0.append(.ack(message)) } }
    public func requeue(_ message: IncomingMessage) { settlements.withLock { $0.append(.requeue(message)) } }
    public func stopReceiving() { receiving.store(false, ordering: .releasing) }
    public func finish() { finished.store(true, ordering: .releasing) }

    private func loop(batchLimit: Int, gather: Duration, deliver: @Sendable ([IncomingMessage]) -> Void, receivingEnded: @Sendable () -> Void) {
        var connection: AMQPConnection?
        var generation = 0
        var backoff = Duration.milliseconds(100)
        while receiving.load(ordering: .acquiring) {
            if connection == nil || connection?.isBroken == true {
                connection = nil
                do {
                    let fresh = try AMQPConnection.open(settings: settings, timeout: .seconds(5))
                    try fresh.declare(topology)
                    try fresh.consume(queue: queue, prefetch: prefetch)
                    generation += 1
                    connection = fresh
                    backoff = .milliseconds(100)
                    logger.info("consuming", metadata: ["queue": "\(queue)"])
                } catch {
                    logger.warning("cannot consume; retrying", metadata: ["queue": "\(queue)", "error": "\(error)", "in": "\(backoff)"])
                    settlements.withLock { $0.removeAll() }  // their connection is gone; the broker requeued them
                    inHand.store(0, ordering: .relaxed)
                    Self.sleep(backoff)
                    backoff = min(backoff * 2, .seconds(5)) + .milliseconds(Int.random(in: 0...100))
                    continue
                }
            }
            guard let current = connection else { continue }
            settle(on: current, generation: generation)
            do {
                // Short waits while messages are in hand, so that their acknowledgements go out promptly.
                let wait: Duration = inHand.load(ordering: .relaxed) > 0 ? .milliseconds(2) : .milliseconds(50)
                if let first = try current.nextDelivery(timeout: wait, generation: generation) {
                    // What else has arrived goes along, and what arrives within `gather`.
                    var batch = [first]
                    let until = ContinuousClock.now + gather
                    while batch.count < batchLimit,
                        let next = try current.nextDelivery(timeout: max(until - ContinuousClock.now, .zero), generation: generation)
                    {
                        batch.append(next)
                    }
                    inHand.add(batch.count, ordering: .relaxed)
                    deliver(batch)
                }
            } catch {
                logger.warning("lost the broker", metadata: ["queue": "\(queue)", "error": "\(error)"])
            }
        }
        receivingEnded()
        // Nothing new is taken; what is in hand is settled as it finishes.
        while !finished.load(ordering: .acquiring) {
            if let connection { settle(on: connection, generation: generation) }
            Self.sleep(.milliseconds(2))
        }
        if let connection {
            settle(on: connection, generation: generation)
            connection.close()
        }
    }

    private func settle(on connection: AMQPConnection, generation: Int) {
        let pending = settlements.withLock { pending -> [Settlement] in
            defer { pending.removeAll(keepingCapacity: true) }
            return pending
        }
        for settlement in pending {
            inHand.add(-1, ordering: .relaxed)
            do {
                switch settlement {
                case .ack(let message) where message.connectionGeneration == generation:
                    try connection.ack(message.deliveryTag)
                case .requeue(let message) where message.connectionGeneration == generation:
                    try connection.reject(message.deliveryTag, requeue: true)
                default:
                    continue  // delivered on a connection that is gone: already back in the queue
                }
            } catch {
                logger.warning("could not settle a message", metadata: ["queue": "\(queue)", "error": "\(error)"])
                return
            }
        }
    }

    private static func sleep(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        _ = nanosleep(&request, nil)
    }
}
