import Foundation
import Hummingbird

/// Collects every problem of a request before answering, so a person fixes a form in one go.
public struct Validation: Sendable {
    public private(set) var errors: [FieldError] = []

    public init() {}

    public mutating func add(_ field: String, _ code: String, _ message: String) {
        errors.append(FieldError(field: field, code: code, message: message))
    }

    /// A required text of `length` characters; returns it trimmed when it fits.
    @discardableResult
    public mutating func text(_ value: String, field: String, length: ClosedRange<Int>) -> String? {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: "\u{3000}")))
        if trimmed.isEmpty {
            add(field, "required", "必须填写")
        } else if trimmed.count < length.lowerBound {
            add(field, "too_short", "至少 \(length.lowerBound) 个字符")
        } else if trimmed.count > length.upperBound {
            add(field, "too_long", "最多 \(length.upperBound) 个字符")
        } else if trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            add(field, "invalid_characters", "含有不允许的字符")
        } else {
            return trimmed
        }
        return nil
    }

    /// Throws the collected problems as one 422 answer.
    public func check() throws(APIError) {
        guard errors.isEmpty else { throw APIError.invalid(errors) }
    }
}

extension String {
    /// `educationLevel` -> `education_level`: field names in error codes.
    public var snakeCased: String {
        reduce(into: "") { result, character in
            if character.isUppercase { result += "_" + character.lowercased() } else { result.append(character) }
        }
    }
}
