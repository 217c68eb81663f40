import Access
import Crypto
import Foundation
import Redis
import ServiceRuntime

/// Six-digit codes sent to the registered phone, kept in Redis as a hash for 10 minutes, one kind
/// per `purpose` (a password reset, a login past a spent failure budget). Wrong guesses are
/// counted per account (AccessLimits.codeFailuresPerAccount): a million codes cannot be tried.
/// `account` is always built from `AccessControl.accountSubject(...)`, never an ID number.
struct VerificationCodes: Sendable {
    let redis: RedisClient
    let access: AccessControl
    let purpose: String
    static let lifetime = 10 * 60

    /// A new code for `account` (replacing any earlier one).
    func issue(for account: String) async throws -> String {
        var generator = SystemRandomNumberGenerator()
        let code = String(format: "%06d", Int.random(in: 0..<1_000_000, using: &generator))
        do {
            try await redis.send("SET", RedisArgument(key(account)), RedisArgument(digest(code)), "EX", RedisArgument(Self.lifetime))
        } catch {
            throw APIError.unavailable
        }
        return code
    }

    /// Whether `code` is the account's current code; a correct code is used up.
    func consume(_ code: String, for account: String) async throws -> Bool {
        let stored: String?
        do {
            let budget = try await access.limiter.peek(AccessLimits.codeFailuresPerAccount, subject: account)
            guard budget.allowed else { throw APIError.rateLimited(retryAfter: budget.retryAfter) }
            stored = try await redis.send("GET", RedisArgument(key(account))).string
        } catch let error as RedisError {
            _ = error
            throw APIError.unavailable
        }
        guard let stored, code.count == 6, SHA256.hash(data: Data(stored.utf8)) == SHA256.hash(data: Data(digest(code).utf8)) else {
            try await access.throttle(AccessLimits.codeFailuresPerAccount, subject: account)
            return false
        }
        do {
            try await redis.send("DEL", RedisArgument(key(account)))
        } catch {
            throw APIError.unavailable
        }
        return true
    }

    private func key(_ account: String) -> String { "\(purpose)-code:" + account }

    private func digest(_ code: String) -> String {
        SHA256.hash(data: Data("\(purpose)-code\u{0}\(code)".utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
