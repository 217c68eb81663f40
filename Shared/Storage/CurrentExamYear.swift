import Logging
import PostgresNIO

/// The current exam year as the services that do not own it read it (the document is
/// Registration's, `exam_year`): its number, and the entries of one of its code lists.
public enum CurrentExamYear {
    /// One entry of a code list: its code, name and (for bonus policies) points and automatic
    /// rule (at least `minimumAge` years old on `ageOn`).
    public struct Code: Sendable, Equatable {
        public let code: String
        public let name: String
        public let points: Int?
        public var minimumAge: Int? = nil
        public var ageOn: String? = nil

        public init(code: String, name: String, points: Int?, minimumAge: Int? = nil, ageOn: String? = nil) {
            self.code = code
            self.name = name
            self.points = points
            self.minimumAge = minimumAge
            self.ageOn = ageOn
        }
    }

    /// The current year; nil before one is loaded.
    public static func year(postgres: PostgresClient, logger: Logger) async throws -> Int? {
        try await postgres.query("SELECT year FROM exam_year WHERE current", logger: logger).decode(Int.self).first { _ in true }
    }

    /// The current year and the entries of `codeLists.<list>` (none when the year has no such
    /// list); nil before a year is loaded.
    public static func codeList(_ list: String, postgres: PostgresClient, logger: Logger) async throws -> (year: Int, codes: [Code])? {
        var year: Int?
        var codes: [Code] = []
        for try await (rowYear, code, name, points, minimumAge, ageOn) in try await postgres.query(
            """
            SELECT y.year, c->>'code', c->>'name', (c->>'points')::int, (c->'automatic'->>'minimumAge')::int, c->'automatic'->>'on'
            FROM exam_year y LEFT JOIN LATERAL jsonb_array_elements(coalesce(y.document->'codeLists'->\(list), '[]')) c ON true
            WHERE y.current
            """, logger: logger
        ).decode((Int, String?, String?, Int?, Int?, String?).self) {
            year = rowYear
            if let code, let name { codes.append(Code(code: code, name: name, points: points, minimumAge: minimumAge, ageOn: ageOn)) }
        }
        return year.map { ($0, codes) }
    }
}
