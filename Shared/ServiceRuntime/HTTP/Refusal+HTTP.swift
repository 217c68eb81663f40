import Hummingbird

/// The one place where a domain refusal becomes an HTTP answer.
extension Refusal: HTTPResponseError {
    public var status: HTTPResponse.Status {
        switch kind {
        case .notFound: .notFound
        case .conflict: .conflict
        case .invalid: .unprocessableContent
        case .forbidden: .forbidden
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try APIError(status, code: code, message: message, fields: fields).response(from: request, context: context)
    }
}
