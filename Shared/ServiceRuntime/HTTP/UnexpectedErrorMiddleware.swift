import Hummingbird
import Logging
import PostgresNIO

/// Errors no route turned into an answer (a database failure, a bug) become a 500 with the usual
/// error body, and are logged by kind only: an error's description may hold the request's data.
/// An answer thrown inside a transaction (postgres-nio wraps it) is given as it was thrown.
public struct UnexpectedErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as any HTTPResponseError {
            throw error
        } catch let error as PostgresTransactionError where error.closureError is any HTTPResponseError {
            throw error.closureError!
        } catch {
            var metadata: Logger.Metadata = ["path": "\(request.uri.path)", "method": "\(request.method)", "error": "\(type(of: error))"]
            if let failure = (error as? PSQLError) ?? ((error as? PostgresTransactionError)?.closureError as? PSQLError) {
                metadata["sqlstate"] = "\(failure.serverInfo?[.sqlState] ?? "-")"
                metadata["code"] = "\(failure.code)"
            }
            context.logger.error("request failed", metadata: metadata)
            throw APIError(.internalServerError, code: "internal", message: "服务器内部错误，请稍后再试")
        }
    }
}
