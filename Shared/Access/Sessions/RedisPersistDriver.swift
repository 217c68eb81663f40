import Crypto
import Foundation
import Hummingbird
import Redis

/// Hummingbird's key-value storage (`PersistDriver`) over the project's Redis client, for
/// hummingbird-auth's `SessionStorage`. Values are JSON. Keys are stored as their SHA-256, so a
/// copy of Redis's data holds no usable session token.
public struct RedisPersistDriver: PersistDriver {
    let redis: RedisClient

    public init(redis: RedisClient) { self.redis = redis }

    /// The Redis key that stores `key`.
    public static func storageKey(_ key: String) -> String {
        "persist:" + SHA256.hash(data: Data(key.utf8)).hex
    }

    public func create<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        var arguments: [RedisArgument] = ["SET", RedisArgument(Self.storageKey(key)), RedisArgument(bytes: try encode(value)), "NX"]
        if let expires { arguments += ["PX", RedisArgument(max(1, expires.milliseconds))] }
        guard try await redis.send(arguments) != .null else { return }
        throw PersistError.duplicate
    }

    public func set<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        var arguments: [RedisArgument] = ["SET", RedisArgument(Self.storageKey(key)), RedisArgument(bytes: try encode(value))]
        arguments += expires.map { ["PX", RedisArgument(max(1, $0.milliseconds))] } ?? ["KEEPTTL"]
        try await redis.send(arguments)
    }

    public func get<Object: Codable & Sendable>(key: String, as type: Object.Type) async throws -> Object? {
        guard let bytes = try await redis.send("GET", RedisArgument(Self.storageKey(key))).bytes else { return nil }
        return try decode(bytes, as: type)
    }

    /// One round trip: the value and its remaining time to live.
    public func getWithTTL<Object: Codable & Sendable>(key: String, as type: Object.Type) async throws -> (object: Object, ttl: Duration?)? {
        let reply = try await redis.run(Self.valueAndTTL, keys: [RedisArgument(Self.storageKey(key))])
        guard case .array(let parts) = reply, parts.count == 2, let bytes = parts[0].bytes, let ttl = parts[1].integer else { return nil }
        return (try decode(bytes, as: type), ttl >= 0 ? .milliseconds(ttl) : nil)
    }

    private static let valueAndTTL = RedisScript("return {redis.call('GET', KEYS[1]), redis.call('PTTL', KEYS[1])}")

    public func remove(key: String) async throws {
        try await redis.send("DEL", RedisArgument(Self.storageKey(key)))
    }

    private func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        return Array(try encoder.encode(value))
    }

    private func decode<Object: Decodable>(_ bytes: [UInt8], as type: Object.Type) throws -> Object {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        do {
            return try decoder.decode(type, from: Data(bytes))
        } catch {
            throw PersistError.invalidConversion
        }
    }
}
