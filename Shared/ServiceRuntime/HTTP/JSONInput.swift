import Foundation
import Hummingbird
import NIOCore

/// Reads a JSON request body into `Input`, turning every way it can be wrong (not JSON, not
/// UTF-8, a missing field, a field of the wrong type, too large) into a 4xx `APIError` that names
/// the field; the decoder's own messages, which may echo input, never reach the client or the log.
public enum JSONInput {
    /// Forms in this system are small; a photo upload has its own route and limit.
    public static let maximumBytes = 64 * 1024

    public static func decode<Input: Decodable>(_ type: Input.Type, from request: Request, limit: Int = maximumBytes) async throws -> Input {
        let buffer = try await request.body(upTo: limit, orElse: APIError(.contentTooLarge, code: "body_too_large", message: "提交的内容过大"))
        let data = Data(buffer.readableBytesView)
        guard String(validatingUTF8: data) != nil else {
            throw APIError(.badRequest, code: "invalid_encoding", message: "提交的内容不是有效的 UTF-8 文本")
        }
        guard !carriesNUL(data) else {
            throw APIError(.badRequest, code: "invalid_characters", message: "提交的内容含有不允许的字符")
        }
        do {
            return try JSONDecoder().decode(Input.self, from: data)
        } catch let error as DecodingError {
            throw APIError(.badRequest, code: "invalid_json", message: "提交的内容格式有误", fields: [fieldError(error)])
        }
    }

    /// Whether a JSON text carries U+0000 (which it can only as the escape `\u0000`). No text in
    /// this system may: PostgreSQL cannot store it, and a query given one fails, whatever its field.
    static func carriesNUL(_ data: Data) -> Bool {
        let backslash = UInt8(ascii: "\\"), u = UInt8(ascii: "u"), zero = UInt8(ascii: "0")
        return data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            var index = 0
            while index + 1 < bytes.count {
                guard bytes[index] == backslash else {
                    index += 1
                    continue
                }
                if bytes[index + 1] == u, index + 5 < bytes.count, bytes[(index + 2)...(index + 5)].allSatisfy({ $0 == zero }) { return true }
                index += 2  // the escaped character, which may itself be a backslash
            }
            return false
        }
    }

    public static func fieldError(_ error: DecodingError) -> FieldError {
        switch error {
        case .keyNotFound(let key, let context):
            return FieldError(field: path(context.codingPath + [key]), code: "required", message: "必须填写")
        case .valueNotFound(_, let context):
            return FieldError(field: path(context.codingPath), code: "required", message: "必须填写")
        case .typeMismatch(let type, let context):
            return FieldError(field: path(context.codingPath), code: "wrong_type", message: "类型应为\(typeName(type))")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return FieldError(field: "", code: "not_json", message: "不是有效的 JSON")
            }
            return FieldError(field: path(context.codingPath), code: "invalid", message: "取值无效")
        @unknown default:
            return FieldError(field: "", code: "invalid", message: "内容无效")
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            .replacingOccurrences(of: ".[", with: "[")
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "文本"
        case is Int.Type, is Int64.Type, is Double.Type: "数字"
        case is Bool.Type: "true 或 false"
        default: "对象或列表"
        }
    }
}

extension String {
    /// `String(validating:as:)` without the Foundation overloads' ambiguity.
    init?(validatingUTF8 data: Data) {
        guard let value = String(bytes: data, encoding: .utf8) else { return nil }
        self = value
    }
}

/// A JSON answer with the headers every API answer carries.
public struct JSONOutput<Value: Encodable & Sendable>: ResponseGenerator, Sendable {
    public let status: HTTPResponse.Status
    public let value: Value
    public var headers: HTTPFields

    public init(_ value: Value, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) {
        self.value = value
        self.status = status
        self.headers = headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try EncodedJSON(value, status: status, headers: headers).response(from: request, context: context)
    }
}

/// JSON encoded once, answered as often as asked (a list every candidate's page asks for), the
/// same bytes and headers `JSONOutput` would give.
public struct EncodedJSON: ResponseGenerator, Sendable {
    public let bytes: ByteBuffer
    public let status: HTTPResponse.Status
    public var headers: HTTPFields

    public init(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.dateEncodingStrategy = .iso8601
        self.bytes = ByteBuffer(bytes: try encoder.encode(value))
        self.status = status
        self.headers = headers
        self.headers[.contentType] = "application/json; charset=utf-8"
        self.headers[.cacheControl] = "no-store"
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: status, headers: headers, body: .init(byteBuffer: bytes))
    }
}

extension Request {
    /// The whole body (files, images), or `tooLarge` once it passes `limit` bytes.
    public func body(upTo limit: Int, orElse tooLarge: APIError) async throws -> ByteBuffer {
        var request = self
        do {
            return try await request.collectBody(upTo: limit)
        } catch {
            throw tooLarge
        }
    }
}
