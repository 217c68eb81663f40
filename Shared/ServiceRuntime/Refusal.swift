/// A rule's "no", in the domain's words: which rule (`code`, stable, for programs), what a person
/// reads (`message`, Chinese) and what kind of no it is. Stores and rules throw these; they know
/// nothing of HTTP. The answer each kind becomes is decided once, in `Refusal+HTTP.swift`.
public struct Refusal: Error, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// What was asked for does not exist (or is not the caller's to see).
        case notFound
        /// The thing exists but its state does not allow this now.
        case conflict
        /// The input breaks a rule; `fields` says where.
        case invalid
        /// The caller may not do this.
        case forbidden
    }

    public let kind: Kind
    public let code: String
    public let message: String
    public let fields: [FieldError]

    public init(_ kind: Kind, code: String, message: String, fields: [FieldError] = []) {
        self.kind = kind
        self.code = code
        self.message = message
        self.fields = fields
    }

    public static func notFound(_ code: String, _ message: String) -> Refusal { Refusal(.notFound, code: code, message: message) }
    public static func forbidden(_ code: String, _ message: String) -> Refusal { Refusal(.forbidden, code: code, message: message) }
    public static func conflict(_ code: String, _ message: String) -> Refusal { Refusal(.conflict, code: code, message: message) }

    /// Input that breaks rules: one code for the whole answer, each field's problem in `fields`.
    public static func invalid(_ fields: [FieldError]) -> Refusal {
        Refusal(.invalid, code: "invalid_input", message: "提交的信息有误，请按提示修改", fields: fields)
    }

    public static func invalid(field: String, code: String, message: String) -> Refusal {
        .invalid([FieldError(field: field, code: code, message: message)])
    }
}
