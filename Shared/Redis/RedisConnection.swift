import CHiredis
import Glibc

/// Owns one hiredis context, a blocking connection.
///
/// Safe to mark `@unchecked Sendable` because hiredis is not thread-safe per context and this
/// type is only ever held by one task at a time: `RedisClient`'s pool hands it out exclusively,
/// and each blocking call runs on one of the client's own threads, never on an event loop.
final class RedisConnection: @unchecked Sendable {
    private let context: UnsafeMutablePointer<redisContext>
    /// Set after an I/O error or timeout: hiredis cannot use the context again.
    private(set) var isBroken = false

    private init(context: UnsafeMutablePointer<redisContext>) {
        self.context = context
    }

    deinit { redisFree(context) }

    /// Blocking: call from a thread-pool thread.
    static func open(host: String, port: Int, timeout: Duration) throws(RedisError) -> RedisConnection {
        let tv = timeval(duration: timeout)
        guard let context = redisConnectWithTimeout(host, Int32(port), tv) else {
            throw RedisError(.unavailable, "cannot allocate a connection")
        }
        if context.pointee.err != 0 {
            let reason = Self.errorString(context)
            redisFree(context)
            throw RedisError(.unavailable, "cannot connect to \(host):\(port): \(reason)")
        }
        _ = redisSetTimeout(context, tv)
        _ = redisEnableKeepAlive(context)
        return RedisConnection(context: context)
    }

    /// Blocking: call from a thread-pool thread. Arguments are passed with their lengths, so
    /// any bytes (including zero bytes) go through unchanged.
    func execute(_ arguments: [RedisArgument]) throws(RedisError) -> RedisValue {
        precondition(!arguments.isEmpty, "a Redis command needs a name")
        var pointers: [UnsafePointer<CChar>?] = []
        var lengths: [Int] = []
        pointers.reserveCapacity(arguments.count)
        var buffers: [UnsafeMutableRawBufferPointer] = []
        defer { buffers.forEach { $0.deallocate() } }
        for argument in arguments {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(argument.bytes.count, 1), alignment: 1)
            buffer.copyBytes(from: argument.bytes)
            buffers.append(buffer)
            pointers.append(UnsafePointer(buffer.baseAddress!.assumingMemoryBound(to: CChar.self)))
            lengths.append(argument.bytes.count)
        }
        let raw = pointers.withUnsafeMutableBufferPointer { argv in
            lengths.withUnsafeBufferPointer { argvlen in
                redisCommandArgv(context, Int32(arguments.count), argv.baseAddress, argvlen.baseAddress)
            }
        }
        guard let raw else {
            isBroken = true
            throw RedisError(.unavailable, "connection lost: \(Self.errorString(context))")
        }
        let reply = raw.assumingMemoryBound(to: redisReply.self)
        defer { freeReplyObject(raw) }
        return try Self.value(of: reply)
    }

    private static func value(of reply: UnsafeMutablePointer<redisReply>) throws(RedisError) -> RedisValue {
        let r = reply.pointee
        switch r.type {
        case REDIS_REPLY_STRING:
            return .bulk(bytes(r.str, r.len))
        case REDIS_REPLY_STATUS:
            return .status(String(decoding: bytes(r.str, r.len), as: UTF8.self))
        case REDIS_REPLY_INTEGER:
            return .integer(Int(r.integer))
        case REDIS_REPLY_NIL:
            return .null
        case REDIS_REPLY_ARRAY:
            var elements: [RedisValue] = []
            elements.reserveCapacity(r.elements)
            for index in 0..<r.elements {
                guard let element = r.element[index] else { elements.append(.null); continue }
                elements.append(try value(of: element))
            }
            return .array(elements)
        case REDIS_REPLY_ERROR:
            throw RedisError(.server, String(decoding: bytes(r.str, r.len), as: UTF8.self))
        default:
            throw RedisError(.protocolViolation, "unknown reply type \(r.type)")
        }
    }

    private static func bytes(_ pointer: UnsafeMutablePointer<CChar>?, _ count: Int) -> [UInt8] {
        guard let pointer, count > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    private static func errorString(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}

extension timeval {
    init(duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self.init(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }
}
