import Access
import Foundation
import Redis
import Settings
import Testing

@Suite struct RateLimiterTests {
    private func withLimiter<T: Sendable>(_ settings: RedisSettings = TestStack.redis, _ body: (RateLimiter, RedisClient) async throws -> T) async throws -> T {
        let redis = RedisClient(settings: settings, logger: TestStack.logger)
        // Connected before any timing matters: the first command opens a connection.
        _ = try? await redis.ping()
        do {
            let result = try await body(RateLimiter(redis: redis), redis)
            await redis.close()
            return result
        } catch {
            await redis.close()
            throw error
        }
    }

    @Test func aBurstUpToTheLimitPassesAndTheNextIsToldWhenToComeBack() async throws {
        try await withLimiter { limiter, _ in
            let limit = RateLimit(name: "test-\(UUID().uuidString.prefix(8))", limit: 5, period: .seconds(60))
            for _ in 0..<5 { #expect(try await limiter.check(limit, subject: "127.0.0.1").allowed) }
            let refused = try await limiter.check(limit, subject: "127.0.0.1")
            #expect(!refused.allowed)
            // One more every 12 s at the steady rate (less, by however long the burst took).
            #expect(refused.retryAfter > .zero && refused.retryAfter <= .seconds(12))
            // Another subject has its own budget.
            #expect(try await limiter.check(limit, subject: "127.0.0.2").allowed)
        }
    }

    @Test func theBudgetRefillsAtTheSteadyRate() async throws {
        try await withLimiter { limiter, _ in
            let limit = RateLimit(name: "test-\(UUID().uuidString.prefix(8))", limit: 2, period: .seconds(4))
            #expect(try await limiter.check(limit, subject: "a").allowed)
            #expect(try await limiter.check(limit, subject: "a").allowed)
            let refused = try await limiter.check(limit, subject: "a")
            #expect(!refused.allowed)
            // Waiting as long as it says is enough, however loaded the machine is.
            try await Task.sleep(for: refused.retryAfter + .milliseconds(20))
            #expect(try await limiter.check(limit, subject: "a").allowed)
        }
    }

    /// The account limit of the identity issue: the 101st failure within the hour is refused;
    /// a reset (a successful login) gives the real user a fresh budget.
    @Test func theHundredAndFirstFailedLoginInAnHourIsRefused() async throws {
        try await withLimiter { limiter, _ in
            let limit = RateLimit(name: "test-login-\(UUID().uuidString.prefix(8))", limit: 100, period: .seconds(3600))
            let account = "430102199001011234"
            for _ in 0..<100 { #expect(try await limiter.check(limit, subject: account).allowed) }
            let refused = try await limiter.check(limit, subject: account)
            #expect(!refused.allowed)
            #expect(refused.retryAfter > .zero && refused.retryAfter <= .seconds(36))
            try await limiter.reset(limit, subject: account)
            #expect(try await limiter.check(limit, subject: account).allowed)
        }
    }

    @Test func noPersonalDataInTheKeys() async throws {
        try await withLimiter { limiter, redis in
            let name = "test-\(UUID().uuidString.prefix(8))"
            _ = try await limiter.check(RateLimit(name: name, limit: 3, period: .seconds(10)), subject: "430102199001011234")
            let keys = try await redis.send("KEYS", RedisArgument("rate:\(name):*"))
            guard case .array(let found) = keys else { Issue.record("no keys"); return }
            #expect(found.count == 1)
            #expect(found.first?.string?.contains("430102") == false)
        }
    }

    @Test func withRedisDownTheCheckFailsClosed() async throws {
        var settings = TestStack.redis
        settings.port = unusedPort()
        try await withLimiter(settings) { limiter, _ in
            let error = await #expect(throws: RedisError.self) {
                try await limiter.check(RateLimit(name: "down", limit: 1, period: .seconds(1)), subject: "x")
            }
            #expect(error?.code == .unavailable)
        }
    }
}
