import Crypto
import Foundation
import Redis

/// A limit such as "5 sign-ups per minute per client address" or "100 failed logins per hour per
/// account". Up to `limit` requests may come at once; after that one more per `period / limit`.
public struct RateLimit: Sendable {
    /// Part of the Redis key: one budget per (name, subject).
    public let name: String
    public let limit: Int
    public let period: Duration

    public init(name: String, limit: Int, period: Duration) {
        precondition(limit > 0 && period > .zero)
        self.name = name
        self.limit = limit
        self.period = period
    }
}

public struct RateDecision: Sendable, Equatable {
    public let allowed: Bool
    /// When refused: how long until one more request would be allowed (for `Retry-After`).
    public let retryAfter: Duration
}

/// Rate limits kept in Redis, shared by every process, with the generic cell rate algorithm in
/// one Lua script: one key per budget holding its "theoretical arrival time", so a check is one
/// atomic round trip and the key expires as soon as the budget is full again.
///
/// When Redis cannot be reached the check throws (`RedisError.unavailable`): callers answer 503,
/// never let the request through unchecked.
public struct RateLimiter: Sendable {
    private let redis: RedisClient

    public init(redis: RedisClient) { self.redis = redis }

    /// Counts one request of `subject` (a client address, an account) against `limit`.
    public func check(_ limit: RateLimit, subject: String) async throws(RedisError) -> RateDecision {
        try await evaluate(limit, subject: subject, consume: true)
    }

    /// Whether one more request would be allowed now, without counting one (a login checks its
    /// account's failure budget first and counts a failure only when the password was wrong).
    public func peek(_ limit: RateLimit, subject: String) async throws(RedisError) -> RateDecision {
        try await evaluate(limit, subject: subject, consume: false)
    }

    private func evaluate(_ limit: RateLimit, subject: String, consume: Bool) async throws(RedisError) -> RateDecision {
        let interval = max(limit.period.milliseconds / limit.limit, 1)
        let reply = try await redis.run(
            Self.script, keys: [RedisArgument(Self.key(limit, subject))],
            arguments: [RedisArgument(interval), RedisArgument(limit.period.milliseconds), consume ? "1" : "0"])
        guard case .array(let values) = reply, values.count == 2, let allowed = values[0].integer, let wait = values[1].integer else {
            throw RedisError(.protocolViolation, "unexpected rate-limit reply \(reply)")
        }
        return RateDecision(allowed: allowed == 1, retryAfter: .milliseconds(wait))
    }

    /// Forgets a subject's use of a limit (after a successful login, its failures no longer count).
    public func reset(_ limit: RateLimit, subject: String) async throws(RedisError) {
        try await redis.send("DEL", RedisArgument(Self.key(limit, subject)))
    }

    /// Subjects may be personal data (an ID number used as a login): only a hash reaches Redis.
    static func key(_ limit: RateLimit, _ subject: String) -> String {
        let digest = SHA256.hash(data: Data("\(limit.name)\u{0}\(subject)".utf8))
        return "rate:\(limit.name):" + digest.prefix(16).hex
    }

    /// KEYS[1]: the budget; ARGV[1]: ms between requests at the steady rate; ARGV[2]: ms of burst;
    /// ARGV[3]: "1" to count the request, "0" only to ask.
    /// Redis's own clock is used, so processes with skewed clocks share one budget correctly.
    static let script = RedisScript("""
        local now_parts = redis.call('TIME')
        local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
        local interval = tonumber(ARGV[1])
        local burst = tonumber(ARGV[2])
        local tat = tonumber(redis.call('GET', KEYS[1]) or now)
        if tat < now then tat = now end
        local next_tat = tat + interval
        local allowed_at = next_tat - burst
        if allowed_at > now then
            return {0, allowed_at - now}
        end
        if ARGV[3] == '1' then
            redis.call('SET', KEYS[1], next_tat, 'PX', next_tat - now)
        end
        return {1, 0}
        """)
}

extension Duration {
    var milliseconds: Int { Int(components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000) }
}
