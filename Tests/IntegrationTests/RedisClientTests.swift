import Foundation
import Redis
import Settings
import Testing

@Suite struct RedisClientTests {
    /// The stack's settings with 10 s per reply instead of 2: these tests are about what comes
    /// back, and a CI machine starting every suite at once once took over 2 s to answer a 1 MB
    /// value. The timeout test sets its own.
    private static var settings: RedisSettings {
        var settings = TestStack.redis
        settings.commandTimeout = .seconds(10)
        return settings
    }

    private func withRedis<T: Sendable>(_ settings: RedisSettings = Self.settings, _ body: (RedisClient) async throws -> T) async throws -> T {
        let client = RedisClient(settings: settings, logger: TestStack.logger)
        do {
            let result = try await body(client)
            await client.close()
            return result
        } catch {
            await client.close()
            throw error
        }
    }

    private func key() -> RedisArgument { RedisArgument("test:\(UUID().uuidString)") }

    @Test func valuesRoundTripByteForByte() async throws {
        try await withRedis { redis in
            // Zero bytes, invalid UTF-8, CR LF (the protocol's own delimiter) and every byte value.
            let awkward: [UInt8] = [0, 0xFF, 0xFE, 13, 10, 0x24, 0x2A] + (0...255).map { UInt8($0) }
            let large = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            for value in [awkward, large, []] {
                let k = key()
                try await redis.send("SET", k, RedisArgument(bytes: value), "EX", "60")
                #expect(try await redis.send("GET", k) == .bulk(value))
            }
            #expect(try await redis.send("GET", key()) == .null)
            let k = key()
            #expect(try await redis.send("INCRBY", k, RedisArgument(41)) == .integer(41))
            #expect(try await redis.send("INCR", k) == .integer(42))
            try await redis.send("RPUSH", k.bytes.isEmpty ? "x" : RedisArgument(bytes: k.bytes + [0x21]), "a", "b")
            #expect(try await redis.send("LRANGE", RedisArgument(bytes: k.bytes + [0x21]), "0", "-1") == .array([.bulk(Array("a".utf8)), .bulk(Array("b".utf8))]))
        }
    }

    @Test func manyConcurrentCommandsShareAFewConnections() async throws {
        var settings = Self.settings
        settings.maxConnections = 4
        try await withRedis(settings) { redis in
            let k = key()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<500 { group.addTask { try await redis.send("INCR", k) } }
                try await group.waitForAll()
            }
            #expect(try await redis.send("GET", k).string == "500")
            let clients = try await redis.send("CLIENT", "LIST").string ?? ""
            #expect(clients.split(separator: "\n").count >= 1)
        }
    }

    @Test func anErrorReplyIsAServerErrorAndTheConnectionStaysUsable() async throws {
        var settings = Self.settings
        settings.maxConnections = 1
        try await withRedis(settings) { redis in
            let k = key()
            try await redis.send("SET", k, "text")
            let error = await #expect(throws: RedisError.self) { try await redis.send("INCR", k) }
            #expect(error?.code == .server)
            #expect(error?.message.contains("not an integer") == true)
            #expect(try await redis.send("GET", k).string == "text")
            try await redis.ping()
        }
    }

    /// Commands share a connection (pipelined): one without a reply in time gives up the
    /// connection with every command waiting on it, and the next command opens a new one.
    @Test func aCommandWithoutAReplyInTimeIsUnavailableAndTheNextOneWorks() async throws {
        var settings = TestStack.redis
        settings.maxConnections = 1
        // 6 s: on a machine starting every suite at once, opening the connection and getting
        // BLPOP held once took over 3 s.
        settings.commandTimeout = .seconds(6)
        try await withRedis(settings) { redis in
            let started = ContinuousClock.now
            // The server holds BLPOP's reply for 30 s; the client waits 6 s.
            let k = key()
            let blocked = Task { () throws(RedisError) -> RedisValue in try await redis.send("BLPOP", k, "30") }
            // ECHO must queue behind BLPOP on the wire, so wait until the server holds BLPOP. (A
            // fixed pause lost the race once in CI: both commands waited for the connection to
            // open, and ECHO was written first and answered.)
            let held = try await withRedis { observer in
                while ContinuousClock.now - started < .seconds(6) {
                    let clients = try await observer.send("CLIENT", "LIST", "TYPE", "normal").string ?? ""
                    if clients.contains("cmd=blpop") { return true }
                    try await Task.sleep(for: .milliseconds(10))
                }
                return false
            }
            try #require(held, "the server held BLPOP within its 6 s")
            let behind = Task { () throws(RedisError) -> RedisValue in try await redis.send("ECHO", "queued behind it") }
            for task in [blocked, behind] {
                let error = await #expect(throws: RedisError.self) { try await task.value }
                #expect(error?.code == .unavailable)
            }
            #expect(ContinuousClock.now - started < .seconds(15), "not the server's 30 s")
            #expect(try await redis.send("ECHO", "fresh").string == "fresh")
        }
    }

    @Test func aServerThatIsDownGivesAClearErrorQuickly() async throws {
        var settings = TestStack.redis
        settings.port = unusedPort()
        try await withRedis(settings) { redis in
            let started = ContinuousClock.now
            let error = await #expect(throws: RedisError.self) { try await redis.ping() }
            #expect(error?.code == .unavailable)
            #expect(error?.description.contains("cannot connect to 127.0.0.1:\(settings.port)") == true)
            #expect(ContinuousClock.now - started < .seconds(10))  // no hang, even on a loaded machine
        }
    }
}
