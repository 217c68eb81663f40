import Foundation
import Logging
import Hummingbird
import ServiceRuntime
import Settings

/// Cross-site request forgery, first line: a state-changing request whose `Origin` (or, without
/// one, `Referer`) names a site not ours is refused before any handler runs, so a form on
/// another site cannot sign someone up, log them in or change anything. Requests without either
/// header (programs, not browsers) pass here; routes that act on a session also demand the
/// session's CSRF token (`SessionManager.require`).
public struct OriginCheckMiddleware<Context: RequestContext>: RouterMiddleware {
    let allowedOrigins: Set<String>

    public init(allowedOrigins: Set<String>) { self.allowedOrigins = allowedOrigins }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if !request.method.isSafe, let origin = Self.origin(of: request), !allowedOrigins.contains(origin) {
            context.logger.warning("cross-site request refused", metadata: ["path": "\(request.uri.path)"])
            throw APIError(.forbidden, code: "cross_site", message: "请求来源不被允许")
        }
        return try await next(request, context)
    }

    static func origin(of request: Request) -> String? {
        if let origin = request.headers[.origin] { return origin.lowercased() }
        guard let referer = request.headers[.referer], let url = URLComponents(string: referer), let scheme = url.scheme, let host = url.host
        else { return request.headers[.referer] == nil ? nil : "invalid" }
        return "\(scheme)://\(host)\(url.port.map { ":\($0)" } ?? "")".lowercased()
    }
}
