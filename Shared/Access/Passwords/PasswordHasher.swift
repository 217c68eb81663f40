import CArgon2
import Foundation
import NIOPosix

/// Argon2id (Debian's libargon2) with OWASP's recommended cost: 19 MiB, 2 passes, 1 lane. The
/// encoded hash carries its own parameters and salt, so the cost can rise later without a
/// migration: old hashes still verify.
///
/// Hashing takes tens of milliseconds of one core on purpose; it runs on NIO's blocking thread
/// pool, never on an event loop.
public struct PasswordHasher: Sendable {
    public static let memoryKiB: UInt32 = 19 * 1024
    public static let iterations: UInt32 = 2
    public static let lanes: UInt32 = 1
    static let saltBytes = 16
    static let hashBytes = 32

    private let pool: NIOThreadPool

    public init(pool: NIOThreadPool = .singleton) { self.pool = pool }

    public func hash(_ password: String) async throws -> String {
        try await pool.runIfActive { try Self.hashNow(password) }
    }

    /// Whether `password` matches `encoded`. With no stored hash (an unknown account) a dummy
    /// hash is checked, so the answer takes as long as for a real account.
    public func verify(_ password: String, against encoded: String?) async throws -> Bool {
        try await pool.runIfActive {
            let matches = Self.verifyNow(password, against: encoded ?? Self.dummyHash)
            return encoded != nil && matches
        }
    }

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
