import CHiredis
import NIOCore

/// One command on its way: the arguments and where its reply goes.
struct RedisRequest: Sendable {
    let arguments: [RedisArgument]
    let reply: EventLoopPromise<RedisValue>
}

/// The protocol on one connection, on its event loop: commands are written as they come
/// (pipelined, any number at once) and replies, which Redis sends in the same order, are
/// matched to them first in, first out. hiredis's reader parses the replies; NIO does the I/O.
///
/// A reply that does not come within `timeout` closes the connection; every command still
/// waiting on it then fails as `.unavailable`, and the client opens a new connection.
final class RedisChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = RedisRequest
    typealias OutboundOut = ByteBuffer

    private let reader = RedisReplyReader()
    private var waiting = CircularBuffer<(reply: EventLoopPromise<RedisValue>, deadline: NIODeadline)>()
    private let timeout: TimeAmount
    private var timer: Scheduled<Void>?

    init(timeout: TimeAmount) { self.timeout = timeout }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        var buffer = context.channel.allocator.buffer(capacity: 16 + request.arguments.reduce(0) { $0 + $1.bytes.count + 16 })
        Self.encode(request.arguments, into: &buffer)
        waiting.append((request.reply, .now() + timeout))
        armTimer(context)
        context.write(wrapOutboundOut(buffer), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        do throws(RedisError) {
            try reader.feed(unwrapInboundIn(data))
            while let reply = try reader.next() {
                guard let (promise, _) = waiting.popFirst() else {
                    throw RedisError(.protocolViolation, "a reply nobody asked for")
                }
                promise.completeWith(reply.mapError { $0 as any Error })
            }
        } catch {
            failAll(error)
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(RedisError(.unavailable, "connection lost"))
        timer?.cancel()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(RedisError(.unavailable, "connection lost: \(error)"))
        context.close(promise: nil)
    }

    private func failAll(_ error: RedisError) {
        while let (promise, _) = waiting.popFirst() { promise.fail(error) }
    }

    /// One timer for the whole connection, set for the oldest command's deadline.
    private func armTimer(_ context: ChannelHandlerContext) {
        guard timer == nil, let oldest = waiting.first else { return }
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: oldest.deadline) { [self] in
            timer = nil
            guard let oldest = waiting.first else { return }
            if oldest.deadline <= .now() {
                failAll(RedisError(.unavailable, "no reply within \(timeout.nanoseconds / 1_000_000) ms"))
                loopBound.value.close(promise: nil)
            } else {
                armTimer(loopBound.value)
            }
        }
    }

    /// RESP: an array of bulk strings, so any bytes pass unchanged.
    static func encode(_ arguments: [RedisArgument], into buffer: inout ByteBuffer) {
        buffer.writeString("*\(arguments.count)\r\n")
        for argument in arguments {
            buffer.writeString("$\(argument.bytes.count)\r\n")
            buffer.writeBytes(argument.bytes)
            buffer.writeStaticString("\r\n")
        }
    }
}

/// hiredis's reply parser, fed whatever bytes arrived.
final class RedisReplyReader {
    private let reader: UnsafeMutablePointer<redisReader>

    init() {
        guard let reader = redisReaderCreate() else { fatalError("hiredis could not allocate a reader") }
        self.reader = reader
    }

    deinit { redisReaderFree(reader) }

    func feed(_ buffer: ByteBuffer) throws(RedisError) {
        let status = buffer.withUnsafeReadableBytes { raw in
            redisReaderFeed(reader, raw.baseAddress?.assumingMemoryBound(to: CChar.self), raw.count)
        }
        guard status == REDIS_OK else { throw RedisError(.protocolViolation, errorString) }
    }

    /// The next complete reply (an error reply as `.server`), or nil until more bytes arrive.
    func next() throws(RedisError) -> Result<RedisValue, RedisError>? {
        var raw: UnsafeMutableRawPointer?
        guard redisReaderGetReply(reader, &raw) == REDIS_OK else { throw RedisError(.protocolViolation, errorString) }
        guard let raw else { return nil }
        defer { freeReplyObject(raw) }
        do throws(RedisError) {
            return .success(try Self.value(of: raw.assumingMemoryBound(to: redisReply.self)))
        } catch {
            return .failure(error)
        }
    }

    private var errorString: String {
        withUnsafeBytes(of: reader.pointee.errstr) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
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
}
