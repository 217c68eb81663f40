import Crypto
import Foundation
import Hummingbird
import HummingbirdAuth
import Logging
import Redis
import ServiceRuntime
import Settings

/// Sessions for one kind of account, stored by hummingbird-auth's `SessionStorage` in Redis.
///
/// - A login always issues a new 256-bit random token and deletes the one the browser presented,
///   so a token planted before login is worth nothing after it (session fixation).
/// - Idle timeout: the Redis entry's time to live, renewed (about once a minute) as it is used.
///   Absolute timeout: `issuedAt`, checked on every request.
/// - Logout deletes the entry on the server: replaying the old cookie gets 401.
/// - The cookie is HttpOnly, SameSite=Strict, Secure behind TLS, and lives only as long as the
///   browser session; the server decides when it ends.
/// - When Redis cannot be reached every check answers 503: never a silent pass, never a crash.
public struct SessionManager: Sendable {
    public let kind: AccountKind
    let settings: SessionSettings
    let storage: SessionStorage<AccountSession>
    let redis: RedisClient
    let logger: Logger
    static let keyPrefix = "session:"

    public init(kind: AccountKind, redis: RedisClient, settings: SessionSettings, logger: Logger) {
        self.kind = kind
        self.settings = settings
        self.redis = redis
        self.logger = logger
        self.storage = SessionStorage(
            RedisPersistDriver(redis: redis),
            configuration: .init(
                sessionCookieParameters: .init(
                    name: kind.cookieName, path: "/", secure: settings.secureCookies, sameSite: .strict),
                keyPrefix: Self.keyPrefix))
    }

    /// Starts a session for `accountID` after its password was checked; returns the session
    /// (whose CSRF token the client needs) and the cookie to set.
    public func begin(accountID: Int64, replacing request: Request) async throws -> (AccountSession, Cookie) {
        try await guarded {
            if storage.getId(request: request) != nil { _ = try await storage.delete(request: request) }
            let session = AccountSession(kind: kind, accountID: accountID, issuedAt: Date(), csrfToken: Self.randomToken())
            let issued = try await storage.save(session: session, expiresIn: settings.idleTimeout)
            // Remember the session under its account, so that a password change can end them all.
            let index = indexKey(accountID)
            try await redis.send("SADD", RedisArgument(index), RedisArgument(RedisPersistDriver.storageKey(Self.keyPrefix + issued.value)))
            try await redis.send("PEXPIRE", RedisArgument(index), RedisArgument(settings.absoluteTimeout.milliseconds))
            return (session, cookie(value: issued.value))
        }
    }

    /// The session the request carries, or 401. State-changing requests must also carry the
    /// session's CSRF token (`X-CSRF-Token`), which a page of another site cannot read or send.
    public func require(_ request: Request) async throws -> AccountSession {
        let session = try await guarded { () async throws -> AccountSession? in
            guard let (session, ttl) = try await storage.loadWithTTL(request: request) else { return nil }
            guard session.kind == kind, Date().timeIntervalSince(session.issuedAt) < settings.absoluteTimeout.seconds else {
                _ = try await storage.delete(request: request)
                return nil
            }
            // Renew at most about once a minute (or a quarter of the idle timeout, if shorter).
            if let ttl, settings.idleTimeout - ttl > min(.seconds(60), settings.idleTimeout / 4) {
                try await storage.update(session: session, expiresIn: settings.idleTimeout, request: request)
            }
            return session
        }
        guard let session else { throw APIError.unauthenticated }
        if !request.method.isSafe {
            guard let presented = request.headers[.init("X-CSRF-Token")!],
                Self.constantTimeEqual(presented, session.csrfToken)
            else {
                throw APIError(.forbidden, code: "csrf", message: "页面已过期，请刷新后重试")
            }
        }
        return session
    }

    /// Ends the request's session on the server; returns the cookie that clears it in the browser.
    public func end(_ request: Request) async throws -> Cookie {
        try await guarded {
            if storage.getId(request: request) != nil { _ = try await storage.delete(request: request) }
            return Cookie(name: kind.cookieName, value: "", maxAge: 0, path: "/", secure: settings.secureCookies, httpOnly: true, sameSite: .strict)
        }
    }

    /// Ends every session of an account (after its password or phone number changed).
    public func endAll(accountID: Int64) async throws {
        try await guarded {
            let index = indexKey(accountID)
            if case .array(let members) = try await redis.send("SMEMBERS", RedisArgument(index)) {
                for key in members.compactMap(\.string) { try await redis.send("DEL", RedisArgument(key)) }
            }
            try await redis.send("DEL", RedisArgument(index))
        }
    }

    private func indexKey(_ accountID: Int64) -> String { "session-index:\(kind.rawValue):\(accountID)" }

    private func cookie(value: String) -> Cookie {
        Cookie(name: kind.cookieName, value: value, path: "/", secure: settings.secureCookies, httpOnly: true, sameSite: .strict)
    }

    /// Redis failures become 503 (logged without the request's data); everything else passes.
    private func guarded<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as RedisError {
            logger.error("session store unavailable", metadata: ["error": "\(error.code)"])
            throw APIError.unavailable
        }
    }

    static func randomToken() -> String { randomHex(bytes: 32) }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

extension HTTPRequest.Method {
    var isSafe: Bool { self == .get || self == .head || self == .options }
}
