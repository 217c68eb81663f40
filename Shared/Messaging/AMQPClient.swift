import Logging
import NIOPosix
import ServiceLifecycle
import Settings

/// One process's connection to RabbitMQ.
///
/// Every broker call runs on the client's own single thread, which owns the rabbitmq-c
/// connection; callers await the result. A connection that broke is dropped and the next call
/// opens a new one and declares the topology again, so the client recovers after a broker restart.
public final class AMQPClient: Service, Sendable {
    private let settings: AMQPSettings
    private let topology: Topology
    private let logger: Logger
    private let thread: NIOThreadPool
    private let slot = ConnectionSlot()
    private let confirmTimeout: Duration

    public init(settings: AMQPSettings, topology: Topology = Topology(), confirmTimeout: Duration = .seconds(15), logger: Logger) {
        self.settings = settings
        self.topology = topology
        self.confirmTimeout = confirmTimeout
        self.logger = logger
        self.thread = NIOThreadPool(numberOfThreads: 1)
        self.thread.start()
    }

    /// Keeps an idle connection alive (see `serviceHeartbeats`) until the service group shuts down.
    public func run() async throws {
        // Four visits per heartbeat period: a busy machine may delay one without the broker noticing.
        let interval = Duration.milliseconds(max(settings.heartbeatSeconds * 1000 / 4, 100))
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                _ = try? await self.thread.runIfActive { [slot = self.slot] in
                    slot.connection?.serviceHeartbeats()
                    if slot.connection?.isBroken == true { slot.connection = nil }
                }
            }
        }
        await close()
    }

    public func close() async {
        _ = try? await thread.runIfActive { [slot] in
            slot.connection?.close()
            slot.connection = nil
        }
        try? await thread.shutdownGracefully()
    }

    /// Declares (again) this client's topology plus `extra`; declarations are idempotent.
    public func declare(_ extra: Topology) async throws(AMQPError) {
        try await withConnection { connection, _ in try connection.declare(extra) }
    }

    /// Returns once the broker has confirmed every message as stored.
    public func publish(_ messages: [OutgoingMessage]) async throws(AMQPError) {
        let timeout = confirmTimeout
        try await withConnection { connection, _ in try connection.publish(messages, confirmTimeout: timeout) }
    }

    /// Takes one message from a queue, or nil when it is empty. Acknowledge it when done.
    public func get(queue: String) async throws(AMQPError) -> IncomingMessage? {
        try await withConnection { connection, generation in try connection.get(queue: queue, generation: generation) }
    }

    public func ack(_ message: IncomingMessage) async throws(AMQPError) {
        try await withConnection(of: message) { connection in try connection.ack(message.deliveryTag) }
    }

    public func reject(_ message: IncomingMessage, requeue: Bool) async throws(AMQPError) {
        try await withConnection(of: message) { connection in try connection.reject(message.deliveryTag, requeue: requeue) }
    }

    /// Message and consumer counts of a queue.
    public func inspect(queue: String) async throws(AMQPError) -> (messages: Int, consumers: Int) {
        try await withConnection { connection, _ in try connection.inspect(queue: queue) }
    }

    /// Deletes queues and their messages; for the tests' own queues (the system's are never deleted).
    public func delete(queues: [String]) async throws(AMQPError) {
        try await withConnection { connection, _ in
            for queue in queues { try connection.delete(queue: queue) }
        }
    }

    /// A round trip to the broker; used by health checks. An idle connection may have been
    /// closed by the broker meanwhile, so a broken one is replaced and tried once more.
    public func ping() async throws(AMQPError) {
        do {
            try await withConnection { connection, _ in try connection.probe() }
        } catch where error.code == .unavailable {
            try await withConnection { connection, _ in try connection.probe() }
        }
    }

    // MARK: the connection

    private func withConnection<Value: Sendable>(
        _ body: @escaping @Sendable (AMQPConnection, Int) throws -> Value
    ) async throws(AMQPError) -> Value {
        let (settings, topology, slot) = (self.settings, self.topology, self.slot)
        let result: Result<Value, AMQPError>
        do {
            result = try await thread.runIfActive { () -> Result<Value, AMQPError> in
                do {
                    let connection = try slot.current(settings: settings, topology: topology)
                    defer { if connection.isBroken { slot.connection = nil } }
                    return .success(try body(connection, slot.generation))
                } catch {
                    return .failure(error as? AMQPError ?? AMQPError(.protocolViolation, "\(error)"))
                }
            }
        } catch {
            throw AMQPError(.unavailable, "the client is shut down")
        }
        return try result.get()
    }

    /// An acknowledgement belongs to the connection that delivered the message; after a
    /// reconnect the broker has already put the message back, so there is nothing to settle.
    private func withConnection(
        of message: IncomingMessage, _ body: @escaping @Sendable (AMQPConnection) throws -> Void
    ) async throws(AMQPError) {
        try await withConnection { connection, generation in
            guard generation == message.connectionGeneration else {
                throw AMQPError(.unavailable, "the connection that delivered the message is gone; it will be delivered again")
            }
            try body(connection)
        }
    }
}

/// The client's connection, touched only on the client's own thread (hence `@unchecked`).
private final class ConnectionSlot: @unchecked Sendable {
    var connection: AMQPConnection?
    /// Counts connections opened, so that a delivery can be tied to the connection it came on.
    private(set) var generation = 0

    func current(settings: AMQPSettings, topology: Topology) throws(AMQPError) -> AMQPConnection {
        if let connection, !connection.isBroken { return connection }
        connection = nil
        let fresh = try AMQPConnection.open(settings: settings, timeout: .seconds(5))
        try fresh.declare(topology)
        generation += 1
        connection = fresh
        return fresh
    }
}
