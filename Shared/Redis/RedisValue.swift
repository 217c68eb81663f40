/// A reply from Redis. Bulk strings are bytes: Redis values are binary-safe and so is this type.
public enum RedisValue: Sendable, Equatable {
    case bulk([UInt8])
    case status(String)
    case integer(Int)
    case array([RedisValue])
    case null

    public var bytes: [UInt8]? {
        if case .bulk(let bytes) = self { return bytes }
        return nil
    }

    public var string: String? {
        switch self {
        case .bulk(let bytes): String(decoding: bytes, as: UTF8.self)
        case .status(let status): status
        default: nil
        }
    }

    public var integer: Int? {
        if case .integer(let value) = self { return value }
        return nil
    }
}

/// One argument of a command, as bytes.
public struct RedisArgument: Sendable, ExpressibleByStringLiteral {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }
    public init(_ string: String) { self.bytes = Array(string.utf8) }
    public init(_ integer: Int) { self.bytes = Array(String(integer).utf8) }
    public init(stringLiteral value: String) { self.init(value) }
}
