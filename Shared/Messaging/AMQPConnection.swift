import CRabbitMQ
import Glibc
import Settings

/// Owns one rabbitmq-c connection and its channel.
///
/// Safe to mark `@unchecked Sendable` because rabbitmq-c is not thread-safe per connection and
/// `AMQPClient` confines every instance to its own single thread: it is created, used and freed
/// only by work items on that thread, which also keeps these blocking calls off event loops.
final class AMQPConnection: @unchecked Sendable {
    private let state: amqp_connection_state_t
    private let channel: amqp_channel_t = 1
    /// The broker numbers published messages on a confirm channel from 1; reset on a new channel.
    private var nextPublishTag: UInt64 = 1
    /// Set when the connection cannot be used again; the client then opens a new one.
    private(set) var isBroken = false

    private init(state: amqp_connection_state_t) {
        self.state = state
    }

    deinit { amqp_destroy_connection(state) }

    static func open(settings: AMQPSettings, timeout: Duration) throws(AMQPError) -> AMQPConnection {
        guard let state = amqp_new_connection() else { throw AMQPError(.unavailable, "cannot allocate a connection") }
        let connection = AMQPConnection(state: state)
        guard let socket = amqp_tcp_socket_new(state) else { throw AMQPError(.unavailable, "cannot allocate a socket") }
        var tv = timeval(duration: timeout)
        let status = amqp_socket_open_noblock(socket, settings.host, Int32(settings.port), &tv)
        guard status == AMQP_STATUS_OK.rawValue else {
            throw AMQPError(.unavailable, "cannot connect to \(settings.host):\(settings.port): \(errorString(status))")
        }
        _ = amqp_set_rpc_timeout(state, &tv)
        try connection.check(
            exam_amqp_login_plain(state, settings.vhost, 0, 131_072, Int32(settings.heartbeatSeconds), settings.user, settings.password),
            "login as \(settings.user)")
        try connection.openChannel()
        return connection
    }

    private func openChannel() throws(AMQPError) {
        _ = amqp_channel_open(state, channel)
        try check(amqp_get_rpc_reply(state), "open channel")
        // Publisher confirms: the broker acknowledges each message once it is safely stored.
        _ = amqp_confirm_select(state, channel)
        try check(amqp_get_rpc_reply(state), "select confirms")
        nextPublishTag = 1
    }

    func close() {
        guard !isBroken else { return }
        _ = amqp_channel_close(state, channel, Int32(AMQP_REPLY_SUCCESS))
        _ = amqp_connection_close(state, Int32(AMQP_REPLY_SUCCESS))
        isBroken = true
    }

    // MARK: declarations

    func declare(_ topology: Topology) throws(AMQPError) {
        let arena = CArena()
        for exchange in topology.exchanges {
            _ = amqp_exchange_declare(
                state, channel, arena.bytes(exchange.name), arena.bytes(exchange.kind.rawValue), 0, 1, 0, 0, amqp_empty_table)
            try check(amqp_get_rpc_reply(state), "declare exchange \(exchange.name)")
        }
        for queue in topology.queues {
            _ = amqp_queue_declare(state, channel, arena.bytes(queue.name), 0, 1, 0, 0, arena.table(queue.arguments))
            try check(amqp_get_rpc_reply(state), "declare queue \(queue.name)")
        }
        for binding in topology.bindings {
            _ = amqp_queue_bind(
                state, channel, arena.bytes(binding.queue), arena.bytes(binding.exchange), arena.bytes(binding.routingKey),
                amqp_empty_table)
            try check(amqp_get_rpc_reply(state), "bind \(binding.queue) to \(binding.exchange)")
        }
        amqp_maybe_release_buffers(state)
    }

    /// A round trip to the broker that changes nothing; it also services heartbeats.
    func probe() throws(AMQPError) {
        let arena = CArena()
        _ = amqp_exchange_declare(state, channel, arena.bytes("amq.direct"), arena.bytes("direct"), 1, 0, 0, 0, amqp_empty_table)
        try check(amqp_get_rpc_reply(state), "probe")
        amqp_maybe_release_buffers(state)
    }

    /// rabbitmq-c sends and checks heartbeats only inside its own calls; an idle connection
    /// is therefore visited regularly, or the broker would close it as dead.
    func serviceHeartbeats() {
        guard !isBroken else { return }
        var frame = amqp_frame_t()
        var immediately = timeval(tv_sec: 0, tv_usec: 0)
        let status = amqp_simple_wait_frame_noblock(state, &frame, &immediately)
        // Between operations nothing else is expected: a timeout is the normal answer; a frame
        // (the broker closing the channel or connection) or an error ends this connection.
        if status != AMQP_STATUS_TIMEOUT.rawValue { isBroken = true }
        amqp_maybe_release_buffers(state)
    }

    // MARK: publishing

    /// Publishes a batch, then waits for the broker's confirms of all of it: one wait per batch,
    /// not one round trip per message. Returns only when every message is confirmed stored.
    func publish(_ messages: [OutgoingMessage], confirmTimeout: Duration) throws(AMQPError) {
        guard !messages.isEmpty else { return }
        let arena = CArena()
        let firstTag = nextPublishTag
        for message in messages {
            var properties = amqp_basic_properties_t()
            properties._flags = exam_amqp_publish_flags
            properties.content_type = arena.bytes("application/json")
            properties.delivery_mode = 2  // persistent
            properties.message_id = arena.bytes(message.messageID)
            properties.type = arena.bytes(message.type)
            properties.timestamp = UInt64(time(nil))
            properties.headers = arena.table(message.headers.mapValues { .string($0) })
            let status = amqp_basic_publish(
                state, channel, arena.bytes(message.exchange), arena.bytes(message.routingKey), 1, 0, &properties,
                arena.bytes(message.body))
            guard status == AMQP_STATUS_OK.rawValue else {
                isBroken = true
                throw AMQPError(.unavailable, "publish failed: \(Self.errorString(status))")
            }
            nextPublishTag += 1
        }
        var outstanding = Set(firstTag..<nextPublishTag)
        var returned: [String] = []
        var nacked = 0
        let deadline = ContinuousClock.now + confirmTimeout
        while !outstanding.isEmpty {
            var frame = amqp_frame_t()
            var tv = timeval(duration: max(deadline - ContinuousClock.now, .milliseconds(1)))
            let status = amqp_simple_wait_frame_noblock(state, &frame, &tv)
            guard status == AMQP_STATUS_OK.rawValue else {
                // Unknown which messages the broker has: the connection is not used again.
                isBroken = true
                throw AMQPError(.unavailable, "waiting for confirms: \(Self.errorString(status))")
            }
            guard frame.frame_type == UInt8(AMQP_FRAME_METHOD) else { continue }
            let method = frame.payload.method
            switch method.id {
            case exam_amqp_basic_ack_method:
                let ack = method.decoded.assumingMemoryBound(to: amqp_basic_ack_t.self).pointee
                Self.settle(&outstanding, tag: ack.delivery_tag, multiple: ack.multiple != 0)
            case exam_amqp_basic_nack_method:
                let nack = method.decoded.assumingMemoryBound(to: amqp_basic_nack_t.self).pointee
                let before = outstanding.count
                Self.settle(&outstanding, tag: nack.delivery_tag, multiple: nack.multiple != 0)
                nacked += before - outstanding.count
            case exam_amqp_basic_return_method:
                // The returned message's content follows; read it to learn which one it was.
                var content = amqp_message_t()
                try check(amqp_read_message(state, frame.channel, &content, 0), "read a returned message")
                returned.append(Self.string(content.properties.message_id) ?? "?")
                amqp_destroy_message(&content)
            case exam_amqp_channel_close_method, exam_amqp_connection_close_method:
                var reply = amqp_rpc_reply_t()
                reply.reply_type = AMQP_RESPONSE_SERVER_EXCEPTION
                reply.reply = method
                try check(reply, "publish")
            default:
                continue
            }
        }
        amqp_maybe_release_buffers(state)
        if !returned.isEmpty {
            throw AMQPError(.unroutable, "no queue took message(s) \(returned.joined(separator: ", "))", unroutableMessageIDs: returned)
        }
        if nacked > 0 { throw AMQPError(.nacked, "the broker refused \(nacked) message(s)") }
    }

    private static func settle(_ outstanding: inout Set<UInt64>, tag: UInt64, multiple: Bool) {
        if multiple { outstanding = outstanding.filter { $0 > tag } } else { outstanding.remove(tag) }
    }

    // MARK: consuming

    func get(queue: String, generation: Int) throws(AMQPError) -> IncomingMessage? {
        let arena = CArena()
        let reply = amqp_basic_get(state, channel, arena.bytes(queue), 0)
        try check(reply, "get from \(queue)")
        guard reply.reply.id == exam_amqp_basic_get_ok_method else { return nil }  // get-empty
        let ok = reply.reply.decoded.assumingMemoryBound(to: amqp_basic_get_ok_t.self).pointee
        var content = amqp_message_t()
        try check(amqp_read_message(state, channel, &content, 0), "read from \(queue)")
        defer {
            amqp_destroy_message(&content)
            amqp_maybe_release_buffers(state)
        }
        return Self.incoming(deliveryTag: ok.delivery_tag, redelivered: ok.redelivered != 0, content: content, generation: generation)
    }

    /// Starts a consumer: the broker pushes up to `prefetch` unacknowledged messages at a time.
    func consume(queue: String, prefetch: Int) throws(AMQPError) {
        let arena = CArena()
        _ = amqp_basic_qos(state, channel, 0, UInt16(clamping: prefetch), 0)
        try check(amqp_get_rpc_reply(state), "set prefetch")
        _ = amqp_basic_consume(state, channel, arena.bytes(queue), amqp_empty_bytes, 0, 0, 0, amqp_empty_table)
        try check(amqp_get_rpc_reply(state), "consume from \(queue)")
    }

    /// The next pushed message, or nil when none came within `timeout` (heartbeats are serviced
    /// while waiting). Anything but a delivery means the channel or connection is gone.
    func nextDelivery(timeout: Duration, generation: Int) throws(AMQPError) -> IncomingMessage? {
        amqp_maybe_release_buffers(state)
        var envelope = amqp_envelope_t()
        var tv = timeval(duration: timeout)
        let reply = amqp_consume_message(state, &envelope, &tv, 0)
        if reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && reply.library_error == AMQP_STATUS_TIMEOUT.rawValue {
            return nil
        }
        guard reply.reply_type == AMQP_RESPONSE_NORMAL else {
            isBroken = true
            let reason = reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION ? Self.errorString(reply.library_error) : "the broker closed the channel"
            throw AMQPError(.unavailable, "consuming: \(reason)")
        }
        defer { amqp_destroy_envelope(&envelope) }
        return Self.incoming(
            deliveryTag: envelope.delivery_tag, redelivered: envelope.redelivered != 0, content: envelope.message, generation: generation)
    }

    private static func incoming(deliveryTag: UInt64, redelivered: Bool, content: amqp_message_t, generation: Int) -> IncomingMessage {
        let properties = content.properties
        return IncomingMessage(
            deliveryTag: deliveryTag,
            connectionGeneration: generation,
            redelivered: redelivered,
            messageID: properties._flags & exam_amqp_message_id_flag != 0 ? string(properties.message_id) : nil,
            type: properties._flags & exam_amqp_type_flag != 0 ? string(properties.type) : nil,
            body: bytes(content.body),
            headers: properties._flags & exam_amqp_headers_flag != 0 ? headers(properties.headers) : [:],
            publishedAt: properties._flags & exam_amqp_timestamp_flag != 0 ? Int(properties.timestamp) : nil)
    }

    /// Message and consumer counts, without changing the queue.
    func inspect(queue: String) throws(AMQPError) -> (messages: Int, consumers: Int) {
        let arena = CArena()
        let ok = amqp_queue_declare(state, channel, arena.bytes(queue), 1, 0, 0, 0, amqp_empty_table)
        try check(amqp_get_rpc_reply(state), "inspect \(queue)")
        guard let ok else { throw AMQPError(.protocolViolation, "inspect \(queue): no answer") }
        return (Int(ok.pointee.message_count), Int(ok.pointee.consumer_count))
    }

    /// Deletes a queue and what it holds (nothing happens when there is none).
    func delete(queue: String) throws(AMQPError) {
        let arena = CArena()
        _ = amqp_queue_delete(state, channel, arena.bytes(queue), 0, 0)
        try check(amqp_get_rpc_reply(state), "delete \(queue)")
    }

    func ack(_ deliveryTag: UInt64) throws(AMQPError) {
        let status = amqp_basic_ack(state, channel, deliveryTag, 0)
        guard status == AMQP_STATUS_OK.rawValue else {
            isBroken = true
            throw AMQPError(.unavailable, "ack failed: \(Self.errorString(status))")
        }
    }

    func reject(_ deliveryTag: UInt64, requeue: Bool) throws(AMQPError) {
        let status = amqp_basic_reject(state, channel, deliveryTag, requeue ? 1 : 0)
        guard status == AMQP_STATUS_OK.rawValue else {
            isBroken = true
            throw AMQPError(.unavailable, "reject failed: \(Self.errorString(status))")
        }
    }

    // MARK: replies

    /// Turns a reply into an error. A channel the broker closed is answered and reopened, so the
    /// connection stays usable; a closed connection or a library failure marks it broken.
    private func check(_ reply: amqp_rpc_reply_t, _ what: String) throws(AMQPError) {
        switch reply.reply_type {
        case AMQP_RESPONSE_NORMAL:
            return
        case AMQP_RESPONSE_SERVER_EXCEPTION where reply.reply.id == exam_amqp_channel_close_method:
            let close = reply.reply.decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
            let text = Self.string(close.reply_text) ?? "channel closed"
            var closeOK = amqp_channel_close_ok_t()
            _ = amqp_send_method(state, channel, exam_amqp_channel_close_ok_method, &closeOK)
            do { try openChannel() } catch { isBroken = true }
            throw AMQPError(.refused, "\(what): \(close.reply_code) \(text)")
        case AMQP_RESPONSE_SERVER_EXCEPTION where reply.reply.id == exam_amqp_connection_close_method:
            let close = reply.reply.decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
            var closeOK = amqp_connection_close_ok_t()
            _ = amqp_send_method(state, 0, exam_amqp_connection_close_ok_method, &closeOK)
            isBroken = true
            throw AMQPError(.unavailable, "\(what): the broker closed the connection: \(close.reply_code) \(Self.string(close.reply_text) ?? "")")
        case AMQP_RESPONSE_LIBRARY_EXCEPTION:
            isBroken = true
            throw AMQPError(.unavailable, "\(what): \(Self.errorString(reply.library_error))")
        default:
            isBroken = true
            throw AMQPError(.protocolViolation, "\(what): unexpected reply \(reply.reply_type.rawValue)")
        }
    }

    private static func errorString(_ status: Int32) -> String {
        amqp_error_string2(status).map { String(cString: $0) } ?? "error \(status)"
    }

    static func bytes(_ value: amqp_bytes_t) -> [UInt8] {
        guard let pointer = value.bytes, value.len > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: value.len))
    }

    static func string(_ value: amqp_bytes_t) -> String? {
        guard value.bytes != nil else { return nil }
        return String(decoding: bytes(value), as: UTF8.self)
    }

    /// String and integer headers; other kinds (nested tables such as x-death) are left out here.
    private static func headers(_ table: amqp_table_t) -> [String: String] {
        var result: [String: String] = [:]
        guard let entries = table.entries else { return result }
        for index in 0..<Int(table.num_entries) {
            let entry = entries[index]
            guard let key = string(entry.key) else { continue }
            switch UInt32(entry.value.kind) {
            case AMQP_FIELD_KIND_UTF8.rawValue, AMQP_FIELD_KIND_BYTES.rawValue: result[key] = string(entry.value.value.bytes)
            case AMQP_FIELD_KIND_I64.rawValue: result[key] = String(entry.value.value.i64)
            case AMQP_FIELD_KIND_I32.rawValue: result[key] = String(entry.value.value.i32)
            default: continue
            }
        }
        return result
    }
}

/// Memory for the C structures of one call: copies of strings, bodies and tables that must stay
/// alive until rabbitmq-c has encoded them, freed together afterwards.
private final class CArena {
    private var allocations: [UnsafeMutableRawPointer] = []

    deinit { allocations.forEach { free($0) } }

    func bytes(_ string: String) -> amqp_bytes_t { bytes(Array(string.utf8)) }

    func bytes(_ bytes: [UInt8]) -> amqp_bytes_t {
        guard let memory = malloc(max(bytes.count, 1)) else { fatalError("out of memory") }
        allocations.append(memory)
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress { memory.copyMemory(from: base, byteCount: source.count) }
        }
        return amqp_bytes_t(len: bytes.count, bytes: memory)
    }

    func table(_ arguments: [String: AMQPArgument]) -> amqp_table_t {
        guard !arguments.isEmpty else { return amqp_empty_table }
        guard let memory = calloc(arguments.count, MemoryLayout<amqp_table_entry_t>.stride) else { fatalError("out of memory") }
        allocations.append(memory)
        let entries = memory.bindMemory(to: amqp_table_entry_t.self, capacity: arguments.count)
        for (index, (key, value)) in arguments.sorted(by: { $0.key < $1.key }).enumerated() {
            var entry = amqp_table_entry_t()
            entry.key = bytes(key)
            switch value {
            case .string(let string):
                entry.value.kind = UInt8(AMQP_FIELD_KIND_UTF8.rawValue)
                entry.value.value.bytes = bytes(string)
            case .integer(let integer):
                entry.value.kind = UInt8(AMQP_FIELD_KIND_I64.rawValue)
                entry.value.value.i64 = integer
            }
            entries[index] = entry
        }
        return amqp_table_t(num_entries: Int32(arguments.count), entries: entries)
    }
}

extension timeval {
    init(duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self.init(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }
}
