import Crypto
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Settings
import Synchronization

/// Redis for one process: a few connections, each carrying any number of commands at once.
///
/// Commands are pipelined on NIO's event loops (the same threads that serve HTTP and talk to
/// PostgreSQL), so a command costs a write and a read, not a trip to another thread and back.
/// Commands are spread over `maxConnections` connections in turn. A connection that broke is
/// replaced by the next command that needs it, so the client recovers by itself once the server
/// is back; meanwhile every command fails fast as `.unavailable`.
public final class RedisClient: Service, Sendable {
    private let settings: RedisSettings
    private let group: any EventLoopGroup
    private let connections: [Connection]
    private let turn = Atomic<Int>(0)
    private let closed = Atomic<Bool>(false)
    private let logger: Logger

    public init(settings: RedisSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
        self.group = MultiThreadedEventLoopGroup.singleton
        self.connections = (0..<settings.maxConnections).map { _ in Connection() }
    }

    /// Holds the client open until the service group shuts down, then closes it.
    public func run() async throws {
        try? await gracefulShutdown()
        await close()
    }

    public func close() async {
        closed.store(true, ordering: .sequentiallyConsistent)
        for connection in connections { await connection.close() }
    }

    /// Sends one command, e.g. `send("SET", "k", RedisArgument(bytes: value))`.
    @discardableResult
    public func send(_ arguments: RedisArgument...) async throws(RedisError) -> RedisValue {
        try await send(arguments)
    }

    @discardableResult
    public func send(_ arguments: [RedisArgument]) async throws(RedisError) -> RedisValue {
        guard !closed.load(ordering: .relaxed) else { throw RedisError(.unavailable, "the client is shut down") }
        precondition(!arguments.isEmpty, "a Redis command needs a name")
        let index = turn.wrappingAdd(1, ordering: .relaxed).oldValue
        let connection = connections[(index % connections.count + connections.count) % connections.count]
        for attempt in 1...2 {
            let channel = try await connection.channel { self.connect() }
            let reply = channel.eventLoop.makePromise(of: RedisValue.self)
            channel.writeAndFlush(RedisRequest(arguments: arguments, reply: reply)).whenFailure { reply.fail($0) }
            do {
                return try await reply.futureResult.get()
            } catch let error as RedisError {
                throw error
            } catch ChannelError.ioOnClosedChannel where attempt == 1 {
                // The connection was closing (a timeout, the server gone) and the command never
                // left: safe to send once more, on a new connection.
                connection.forget(channel)
            } catch {
                throw RedisError(.unavailable, "connection lost: \(error)")
            }
        }
        throw RedisError(.unavailable, "connection lost")
    }

    /// Answers whether the server takes commands now; used by health checks.
    public func ping() async throws(RedisError) {
        let reply = try await send("PING")
        guard reply == .status("PONG") else { throw RedisError(.protocolViolation, "PING answered \(reply)") }
    }

    private func connect() -> EventLoopFuture<any Channel> {
        let timeout = TimeAmount.nanoseconds(Int64(settings.commandTimeout.components.seconds) * 1_000_000_000
            + Int64(settings.commandTimeout.components.attoseconds / 1_000_000_000))
        return ClientBootstrap(group: group)
            // At least 2 s to connect, whatever a command may take: a busy moment must not
            // make a reachable server look down.
            .connectTimeout(max(timeout, .seconds(2)))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(RedisChannelHandler(timeout: timeout))
                }
            }
            .connect(host: settings.host, port: settings.port)
    }

    /// One connection slot: open, being opened (later commands wait for the same attempt), or
    /// empty (the next command opens it).
    private final class Connection: Sendable {
        private enum State {
            case empty
            case opening(EventLoopFuture<any Channel>)
            case open(any Channel)
        }

        private let state = Mutex<State>(.empty)

        func channel(connect: () -> EventLoopFuture<any Channel>) async throws(RedisError) -> any Channel {
            let future = state.withLock { state -> EventLoopFuture<any Channel> in
                switch state {
                case .open(let channel) where channel.isActive:
                    return channel.eventLoop.makeSucceededFuture(channel)
                case .opening(let future):
                    return future
                case .open, .empty:
                    let future = connect()
                    state = .opening(future)
                    return future
                }
            }
            do {
                let channel = try await future.get()
                state.withLock { state in
                    if case .opening(let pending) = state, pending === future { state = .open(channel) }
                }
                channel.closeFuture.whenComplete { _ in self.forget(channel) }
                return channel
            } catch {
                state.withLock { state in
                    if case .opening(let pending) = state, pending === future { state = .empty }
                }
                throw RedisError(.unavailable, "cannot connect to \(Self.describe(error))")
            }
        }

        /// Leaves `channel` (closing or closed) so that the next command opens a new connection.
        func forget(_ channel: any Channel) {
            state.withLock { state in
                if case .open(let current) = state, current === channel { state = .empty }
            }
        }

        func close() async {
            let channel = state.withLock { state -> (any Channel)? in
                defer { state = .empty }
                if case .open(let channel) = state { return channel }
                return nil
            }
            try? await channel?.close()
        }

        private static func describe(_ error: any Error) -> String {
            if let error = error as? NIOConnectionError, let last = error.connectionErrors.last {
                return "\(error.host):\(error.port): \(last.error)"
            }
            return "\(error)"
        }
    }
}

/// A Lua script run by its SHA-1 (`EVALSHA`): the text crosses the wire only when the server
/// has not seen it yet (after a restart), not with every call.
public struct RedisScript: Sendable {
    public let text: String
    let sha1: String

    public init(_ text: String) {
        self.text = text
        self.sha1 = Insecure.SHA1.hash(data: Array(text.utf8)).map { byte in
            let hex = Array("0123456789abcdef".utf8)
            return String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]], as: UTF8.self)
        }.joined()
    }
}

extension RedisClient {
    /// Runs `script` with `keys` and `arguments` (Redis's KEYS and ARGV).
    @discardableResult
    public func run(_ script: RedisScript, keys: [RedisArgument], arguments: [RedisArgument] = []) async throws(RedisError) -> RedisValue {
        let tail = [RedisArgument(keys.count)] + keys + arguments
        do {
            return try await send(["EVALSHA", RedisArgument(script.sha1)] + tail)
        } catch where error.code == .server && error.message.hasPrefix("NOSCRIPT") {
            return try await send(["EVAL", RedisArgument(script.text)] + tail)
        }
    }
}
