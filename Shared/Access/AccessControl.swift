import Foundation
import Hummingbird
import Logging
import Redis
import ServiceRuntime
import Settings

/// What a service needs to guard its routes, built once from its settings: candidate and staff
/// sessions, the staff directory and its scope checks, rate limits, password hashing, the
/// personal-data cipher and the audit trail.
public struct AccessControl: Sendable {
    public let sessionSettings: SessionSettings
    public let candidateSessions: SessionManager
    public let staff: StaffGuard
    public let limiter: RateLimiter
    public let passwords: PasswordHasher
    public let cipher: PersonalDataCipher
    public let audit: AuditLog
    public let logger: Logger

    /// `passwords`: the process's password checks; tests that sign hundreds in at once give a
    /// longer line than a real process has (the line itself is tested on its own).
    public init(_ dependencies: Dependencies, passwords: PasswordHasher = PasswordHasher()) throws(SettingError) {
        sessionSettings = try SessionSettings(reader: dependencies.reader)
        cipher = PersonalDataCipher(settings: try PersonalDataSettings(reader: dependencies.reader))
        logger = dependencies.logger
        candidateSessions = SessionManager(kind: .candidate, redis: dependencies.redis, settings: sessionSettings, logger: logger)
        audit = AuditLog(postgres: dependencies.postgres, logger: logger)
        staff = StaffGuard(
            sessions: SessionManager(kind: .staff, redis: dependencies.redis, settings: sessionSettings, logger: logger),
            directory: StaffDirectory(postgres: dependencies.postgres, logger: logger),
            audit: audit)
        limiter = RateLimiter(redis: dependencies.redis)
        self.passwords = passwords
    }

    /// How an account (an ID number, a username) is named in Redis: a keyed hash, which a copy of
    /// Redis's data cannot be tested against guessed ID numbers.
    public func accountSubject(_ login: String) -> String {
        cipher.lookupHash(login, purpose: "redis-subject").prefix(16).hex
    }

    /// Counts one request against `limit`; 429 with `Retry-After` when spent, 503 when Redis is
    /// down (fail closed).
    public func throttle(_ limit: RateLimit, subject: String) async throws {
        let decision: RateDecision
        do {
            decision = try await limiter.check(limit, subject: subject)
        } catch {
            logger.error("rate limiter unavailable", metadata: ["limit": "\(limit.name)", "error": "\(error.code)"])
            throw APIError.unavailable
        }
        guard decision.allowed else { throw APIError.rateLimited(retryAfter: decision.retryAfter) }
    }

    /// What a login attempt came to.
    public enum LoginJudgement: Sendable, Equatable {
        case matched
        /// The password was wrong; `accountLocked` when the account's failure budget is now spent.
        case wrongPassword(accountLocked: Bool)
        /// The account's failure budget is spent: the password was not even checked.
        case accountLocked(retryAfter: Duration)
    }

    /// A login: the address's budget, then the account's failure budget (asked, not spent), then
    /// the password; a wrong password spends one failure. `account` is the login as typed (an ID
    /// number: only its hash reaches Redis). `ownerVerified`: the caller has proved, by something
    /// only the account's owner has (a code sent to the registered phone), that this is the owner,
    /// who then gets past a budget that strangers spent; a wrong password still counts.
    public func judgeLogin(
        account login: String, address: String, password: String, storedHash: String?, ownerVerified: Bool = false
    ) async throws -> LoginJudgement {
        try await throttle(AccessLimits.loginPerAddress, subject: address)
        let account = accountSubject(login)
        do {
            let budget = try await limiter.peek(AccessLimits.loginFailuresPerAccount, subject: account)
            if !budget.allowed && !ownerVerified { return .accountLocked(retryAfter: budget.retryAfter) }
            guard try await passwords.verify(password, against: storedHash) else {
                let spent = try await limiter.check(AccessLimits.loginFailuresPerAccount, subject: account)
                let left = spent.allowed ? try await limiter.peek(AccessLimits.loginFailuresPerAccount, subject: account) : spent
                return .wrongPassword(accountLocked: !left.allowed)
            }
            return .matched
        } catch let error as RedisError {
            logger.error("rate limiter unavailable", metadata: ["limit": "\(AccessLimits.loginFailuresPerAccount.name)", "error": "\(error.code)"])
            throw APIError.unavailable
        }
    }

    /// A login where a spent budget is simply "too many" (429 with `Retry-After`). Returns
    /// whether the password matched.
    public func checkLogin(account login: String, address: String, password: String, storedHash: String?) async throws -> Bool {
        switch try await judgeLogin(account: login, address: address, password: password, storedHash: storedHash) {
        case .matched: return true
        case .wrongPassword: return false
        case .accountLocked(let retryAfter): throw APIError.rateLimited(retryAfter: retryAfter)
        }
    }
}
