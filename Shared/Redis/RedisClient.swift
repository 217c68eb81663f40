import Logging
import NIOPosix
import ServiceLifecycle
import Settings
import Synchronization

/// A pool of Redis connections for one process.
///
/// hiredis blocks, so every command runs on the client's own threads (one per connection it may
/// open), never on an event loop. A connection that failed is dropped and the next command opens
/// a new one, so the client recovers by itself once the server is back.
public final class RedisClient: Service, Sendable {
    private let settings: RedisSettings
    private let threads: NIOThreadPool
    private let pool: Mutex<PoolState>
    private let logger: Logger

    private struct PoolState: ~Copyable {
        var idle: [RedisConnection] = []
        var open = 0
        /// Tasks waiting for a connection; resumed with one to reuse, or nil to open their own.
        var waiters: [CheckedContinuation<RedisConnection?, Never>] = []
        var isClosed = false
    }

    public init(settings: RedisSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
        self.threads = NIOThreadPool(numberOfThreads: settings.maxConnections)
        self.threads.start()
        self.pool = Mutex(PoolState())
    }

    /// Holds the pool open until the service group shuts down, then closes it.
    public func run() async throws {
        try? await gracefulShutdown()
        await close()
    }

    public func close() async {
        let idle = pool.withLock { state -> [RedisConnection] in
            state.isClosed = true
            defer { state.idle = [] }
            return state.idle
        }
        _ = idle  // released here: their deinit frees the hiredis contexts
        try? await threads.shutdownGracefully()
    }

    /// Sends one command, e.g. `send("SET", "k", RedisArgument(bytes: value))`.
    @discardableResult
    public func send(_ arguments: RedisArgument...) async throws(RedisError) -> RedisValue {
        try await send(arguments)
    }

    @discardableResult
    public func send(_ arguments: [RedisArgument]) async throws(RedisError) -> RedisValue {
        let reused = await checkOut()
        let settings = self.settings
        // The closure gives back what to return to the pool: the connection, or nil to drop it.
        let (outcome, keep): (Result<RedisValue, RedisError>, RedisConnection?)
        do {
            (outcome, keep) = try await threads.runIfActive { () -> (Result<RedisValue, RedisError>, RedisConnection?) in
                let connection: RedisConnection
                if let reused {
                    connection = reused
                } else {
                    do throws(RedisError) {
                        connection = try RedisConnection.open(host: settings.host, port: settings.port, timeout: settings.commandTimeout)
                    } catch {
                        return (.failure(error), nil)
                    }
                }
                do throws(RedisError) {
                    return (.success(try connection.execute(arguments)), connection)
                } catch {
                    // An error reply leaves the connection usable; a broken one is dropped.
                    return (.failure(error), connection.isBroken ? nil : connection)
                }
            }
        } catch {
            checkIn(nil)
            throw RedisError(.unavailable, "the client is shut down")
        }
        checkIn(keep)
        return try outcome.get()
    }

    /// Answers whether the server takes commands now; used by health checks.
    public func ping() async throws(RedisError) {
        let reply = try await send("PING")
        guard reply == .status("PONG") else { throw RedisError(.protocolViolation, "PING answered \(reply)") }
    }

    // MARK: pool

    /// A connection to reuse, or nil when the caller may open a new one (a slot is reserved for it).
    private func checkOut() async -> RedisConnection? {
        enum Decision { case reuse(RedisConnection), openNew, wait }
        let decision = pool.withLock { state -> Decision in
            if let connection = state.idle.popLast() { return .reuse(connection) }
            if state.open < settings.maxConnections {
                state.open += 1
                return .openNew
            }
            return .wait
        }
        switch decision {
        case .reuse(let connection): return connection
        case .openNew: return nil
        case .wait:
            return await withCheckedContinuation { continuation in
                let handOver = pool.withLock { state -> RedisConnection?? in
                    // Re-check under the lock: a connection may have come back meanwhile.
                    if let connection = state.idle.popLast() { return .some(connection) }
                    if state.open < settings.maxConnections {
                        state.open += 1
                        return .some(nil)
                    }
                    state.waiters.append(continuation)
                    return .none
                }
                if case .some(let connection) = handOver { continuation.resume(returning: connection) }
            }
        }
    }

    /// Returns a connection (or, with nil, gives back the slot of one that was dropped).
    private func checkIn(_ connection: RedisConnection?) {
        let waiter = pool.withLock { state -> CheckedContinuation<RedisConnection?, Never>? in
            if !state.waiters.isEmpty {
                return state.waiters.removeFirst()
            }
            if let connection, !state.isClosed {
                state.idle.append(connection)
            } else {
                state.open -= 1
            }
            return nil
        }
        waiter?.resume(returning: connection)
    }
}
