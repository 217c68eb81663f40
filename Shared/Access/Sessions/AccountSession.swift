import Foundation

/// Which kind of account a session belongs to. Candidates and staff have separate cookies and
/// separate session managers: a candidate's session never opens a staff route.
public enum AccountKind: String, Codable, Sendable {
    case candidate
    case staff

    var cookieName: String { "exam_\(rawValue)_session" }
}

/// What a session remembers, in Redis under its token's hash. Nothing personal: the account id,
/// when it was issued (for the absolute timeout) and its CSRF token.
public struct AccountSession: Codable, Sendable, Equatable {
    public let kind: AccountKind
    public let accountID: Int64
    public let issuedAt: Date
    /// Sent back by the browser in `X-CSRF-Token` with every state-changing request.
    public let csrfToken: String
}
