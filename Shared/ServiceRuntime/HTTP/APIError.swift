import Foundation
import Hummingbird
import NIOCore

/// One problem with one field of a request: `field` is its JSON path (`choice2.level`), `code` a
/// stable machine-readable reason (`id_number.check_digit`), `message` what a person reads, in Chinese.
public struct FieldError: Codable, Sendable, Equatable {
    public let field: String
    public let code: String
    public let message: String

    public init(field: String, code: String, message: String) {
        self.field = field
        self.code = code
        self.message = message
    }
}

/// Every error a service answers with has one shape:
/// `{"error":{"code":"...","message":"...","fields":[...]}}`, a stable code for programs and a
/// Chinese message for people. Domain errors convert to it at the edge.
public struct APIError: Error, HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    public let fields: [FieldError]
    public let headers: HTTPFields

    public init(_ status: HTTPResponse.Status, code: String, message: String, fields: [FieldError] = [], headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields
        self.headers = headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = APIErrorBody(error: .init(code: code, message: message, fields: fields.isEmpty ? nil : fields))
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        let data = (try? JSONEncoder().encode(body)) ?? Data()
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension APIError {
    public static func invalid(_ fields: [FieldError]) -> APIError {
        let refusal = Refusal.invalid(fields)
        return APIError(refusal.status, code: refusal.code, message: refusal.message, fields: fields)
    }

    public static func invalid(field: String, code: String, message: String) -> APIError {
        .invalid([FieldError(field: field, code: code, message: message)])
    }

    public static let unauthenticated = APIError(.unauthorized, code: "unauthenticated", message: "请先登录")
    public static let forbidden = APIError(.forbidden, code: "forbidden", message: "无权访问")
    public static let notFound = APIError(.notFound, code: "not_found", message: "没有找到")

    /// A dependency that guards the request (sessions, rate limits) is down: refuse, never bypass.
    public static let unavailable = APIError(
        .serviceUnavailable, code: "unavailable", message: "服务暂时不可用，请稍后再试", headers: [.retryAfter: "5"])

    /// 429 with `Retry-After`; `code` and `message` where a refusal has a way out of its own to say.
    public static func rateLimited(retryAfter: Duration, code: String = "rate_limited", message: String? = nil) -> APIError {
        let seconds = max(1, Int((Double(retryAfter.components.seconds) + Double(retryAfter.components.attoseconds) / 1e18).rounded(.up)))
        return APIError(.tooManyRequests, code: code, message: message ?? "请求过于频繁，请在\(seconds)秒后再试", headers: [.retryAfter: "\(seconds)"])
    }
}

struct APIErrorBody: Encodable {
    struct Detail: Encodable {
        let code: String
        let message: String
        let fields: [FieldError]?
    }
    let error: Detail
}
