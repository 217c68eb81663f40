import CArgon2
import Foundation
import HTTPTypes
import NIOCore
import NIOPosix
import ServiceRuntime
import Synchronization

/// Argon2id (Debian's libargon2) with OWASP's recommended cost: 19 MiB, 2 passes, 1 lane. The
/// encoded hash carries its own parameters and salt, so the cost can rise later without a
/// migration: old hashes still verify.
///
/// Hashing takes tens of milliseconds of one core on purpose (about 47 ms here), so it runs on
/// threads of its own, one fewer than the cores: however many people sign in at once, the other
/// requests keep a core. Checks wait for a thread in a short line; when the line is full (about
/// 0.25 s of work per thread) a sign-in is turned away at once with 503 and `Retry-After`, the
/// "try again at" answer of SPEC §7, instead of queueing for many seconds while the machine's
/// cores are all hashing.
public struct PasswordHasher: Sendable {
    public static let memoryKiB: UInt32 = 19 * 1024
    public static let iterations: UInt32 = 2
    public static let lanes: UInt32 = 1
    static let saltBytes = 16
    static let hashBytes = 32

    /// The process's hashing threads.
    public static let threads: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: max(1, System.coreCount - 1))
        pool.start()
        return pool
    }()

    private let pool: NIOThreadPool
    private let line: AdmissionLine

    /// `admitted`: checks running or waiting at once (default: 6 per hashing thread, so that
    /// one admitted waits at most about a quarter of a second for its turn).
    public init(pool: NIOThreadPool = PasswordHasher.threads, admitted: Int = 6 * max(1, System.coreCount - 1)) {
        self.pool = pool
        self.line = AdmissionLine(limit: admitted)
    }

    public func hash(_ password: String) async throws -> String {
        try await line.admit { try await pool.runIfActive { try Self.hashNow(password) } }
    }

    /// Whether `password` matches `encoded`. With no stored hash (an unknown account) a dummy
    /// hash is checked, so the answer takes as long as for a real account.
    public func verify(_ password: String, against encoded: String?) async throws -> Bool {
        try await line.admit {
            try await pool.runIfActive {
                let matches = Self.verifyNow(password, against: encoded ?? Self.dummyHash)
                return encoded != nil && matches
            }
        }
    }

    /// The answer to a sign-in turned away because the line is full.
    public static let busy = APIError(
        .serviceUnavailable, code: "busy", message: "当前登录和注册的人数较多，请在 3 秒后重试", headers: [.retryAfter: "3"])

    static func hashNow(_ password: String) throws -> String {
        var salt = [UInt8](repeating: 0, count: saltBytes)
        var generator = SystemRandomNumberGenerator()
        for index in salt.indices { salt[index] = generator.next() }
        let length = argon2_encodedlen(iterations, memoryKiB, lanes, UInt32(saltBytes), UInt32(hashBytes), Argon2_id)
        var encoded = [CChar](repeating: 0, count: length)
        let password = Array(password.utf8)
        let status = argon2id_hash_encoded(
            iterations, memoryKiB, lanes, password, password.count, salt, salt.count, hashBytes, &encoded, length)
        guard status == ARGON2_OK.rawValue else { throw PasswordHashingFailed(status: status) }
        return String(decoding: encoded.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func verifyNow(_ password: String, against encoded: String) -> Bool {
        let password = Array(password.utf8)
        return argon2id_verify(encoded, password, password.count) == ARGON2_OK.rawValue
    }

    static let dummyHash: String = (try? hashNow("no account has this password")) ?? ""
}

public struct PasswordHashingFailed: Error, CustomStringConvertible {
    public let status: Int32
    public var description: String { "argon2 failed: \(String(cString: argon2_error_message(status)))" }
}

/// At most `limit` operations in progress (running or waiting); the next is refused at once.
final class AdmissionLine: Sendable {
    private let inside = Atomic<Int>(0)
    let limit: Int

    init(limit: Int) { self.limit = max(1, limit) }

    func admit<Value: Sendable>(_ operation: () async throws -> Value) async throws -> Value {
        guard inside.add(1, ordering: .relaxed).newValue <= limit else {
            inside.subtract(1, ordering: .relaxed)
            throw PasswordHasher.busy
        }
        defer { inside.subtract(1, ordering: .relaxed) }
        return try await operation()
    }
}
