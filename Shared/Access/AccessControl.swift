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

    public init(_ dependencies: Dependencies) throws(SettingError) {
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
        passwords = PasswordHasher()
    }

    /// How an account (an ID number, a username) is named in Redis: a keyed hash, which a copy of
    /// Redis's data cannot be tested against guessed ID numbers.
    public func accountSubject(_ login: String) -> String {
        cipher.lookupHash(login, purpose: "redis-subject").prefix(16).hex
    }

    /// Refuses cross-site state-changing requests before any route runs.
    public func protect(_ router: Router<BasicRequestContext>) {
        router.add(middleware: OriginCheckMiddleware(allowedOrigins: sessionSettings.allowedOrigins))
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

    /// A login: the address's budget, then the account's failure budget (asked, not spent), then
    /// the password; a wrong password spends one failure. `account` is the login as typed (an ID
    /// number: only its hash reaches Redis). Returns whether the password matched.
    public func checkLogin(account login: String, address: String, password: String, storedHash: String?) async throws -> Bool {
        try await throttle(AccessLimits.loginPerAddress, subject: address)
        let account = accountSubject(login)
        let budget: RateDecision
        do {
            budget = try await limiter.peek(AccessLimits.loginFailuresPerAccount, subject: account)
        } catch {
            throw APIError.unavailable
        }
        guard budget.allowed else { throw APIError.rateLimited(retryAfter: budget.retryAfter) }
        guard try await passwords.verify(password, against: storedHash) else {
            try await throttle(AccessLimits.loginFailuresPerAccount, subject: account)
            return false
        }
        return true
    }
}
