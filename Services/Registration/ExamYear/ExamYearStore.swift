import Access
import Foundation
import Logging
import PostgresNIO
import Synchronization

/// One major of the catalogue: what a choice must match.
public struct CatalogueEntry: Codable, Sendable, Equatable {
    public var institutionCode: String
    public var institutionName: String
    public var majorCode: String
    public var majorName: String
    public var level: StudyLevel
    public var subjectCategory: String
    public var majorCategory: String
    public var studyForms: [StudyForm]
    public var duration: String
    public var medical: Bool
}

/// A county (县市区) as the sign-up page offers it.
public struct County: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var cityName: String
}

/// The reference code tables a candidate's form chooses from.
public struct CodeTables: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        public var code: String
        public var name: String
    }

    public var ethnicGroups: [Entry]
    public var politicalStatuses: [Entry]
}

/// The `exam_year` and `catalogue_major` tables. The current year's document is read on every
/// form save, so it is cached for a few seconds: a province's change shows within that time.
final class ExamYearStore: Sendable {
    let postgres: PostgresClient
    let logger: Logger
    private let cached = Cache<ExamYearDocument>(lifetime: .seconds(5))
    /// The catalogue is read for every submission and changes a few times a year.
    private let catalogue = Cache<(year: Int, entries: [String: CatalogueEntry])>(lifetime: .seconds(10))

    init(postgres: PostgresClient, logger: Logger) {
        self.postgres = postgres
        self.logger = logger
    }

    func current() async throws -> ExamYearDocument? {
        if let document = cached.value { return document }
        let rows = try await postgres.query("SELECT document::text FROM exam_year WHERE current", logger: logger)
        for try await text in rows.decode(String.self) {
            let document = try ExamYearDocument.decoder.decode(ExamYearDocument.self, from: Data(text.utf8))
            cached.value = document
            return document
        }
        return nil
    }

    /// A year's whole document as the province saved it (the console's year editor), or nil.
    func document(year: Int) async throws -> ExamYearDocument? {
        let rows = try await postgres.query("SELECT document::text FROM exam_year WHERE year = \(year)", logger: logger)
        for try await text in rows.decode(String.self) {
            return try ExamYearDocument.decoder.decode(ExamYearDocument.self, from: Data(text.utf8))
        }
        return nil
    }

    private static let saveLock: Int64 = 0x6578_616D_5945  // "examYE"

    /// Stores a year's document and makes it the current year.
    func save(_ document: ExamYearDocument, by staffID: Int64) async throws {
        let text = String(decoding: try ExamYearDocument.encoder.encode(document), as: UTF8.self)
        try await postgres.withTransaction(logger: logger) { connection in
            // One save at a time: two at once (two officers, or a first save racing itself) would
            // both insert a current year, and the one-current index would refuse the second (a 500).
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.saveLock))", logger: logger)
            try await connection.query("UPDATE exam_year SET current = false WHERE current AND year <> \(document.year)", logger: logger)
            try await connection.query(
                """
                INSERT INTO exam_year (year, document, current, updated_by) VALUES (\(document.year), \(text)::jsonb, true, \(staffID))
                ON CONFLICT (year) DO UPDATE SET document = excluded.document, current = true, updated_at = now(), updated_by = excluded.updated_by
                """, logger: logger)
        }
        cached.value = nil
        catalogue.value = nil
    }

    func yearExists(_ year: Int) async throws -> Bool {
        for try await _ in try await postgres.query("SELECT 1 FROM exam_year WHERE year = \(year)", logger: logger) { return true }
        return false
    }

    /// Replaces a year's catalogue, all rows or none.
    func replaceCatalogue(_ year: Int, with entries: [CatalogueEntry]) async throws {
        try await postgres.withTransaction(logger: logger) { connection in
            // Two imports of one year at once would trip over each other's rows: one at a time.
            try await connection.query("SELECT pg_advisory_xact_lock(\(Int64(0x6361_7461_0000) + Int64(year)))", logger: logger)
            try await connection.query("DELETE FROM catalogue_major WHERE year = \(year)", logger: logger)
            for chunk in stride(from: 0, to: entries.count, by: 1_000).map({ Array(entries[$0..<min($0 + 1_000, entries.count)]) }) {
                let forms = chunk.map { $0.studyForms.map(\.rawValue).joined(separator: "|") }
                try await connection.query(
                    """
                    INSERT INTO catalogue_major (year, institution_code, institution_name, major_code, major_name, level,
                        subject_category, major_category, study_forms, duration, medical)
                    SELECT \(year), i, iname, m, mname, l, s, c, string_to_array(f, '|'), d, med
                    FROM unnest(\(chunk.map(\.institutionCode)), \(chunk.map(\.institutionName)), \(chunk.map(\.majorCode)),
                        \(chunk.map(\.majorName)), \(chunk.map(\.level.rawValue)), \(chunk.map(\.subjectCategory)), \(chunk.map(\.majorCategory)),
                        \(forms), \(chunk.map(\.duration)), \(chunk.map(\.medical))) AS t(i, iname, m, mname, l, s, c, f, d, med)
                    """, logger: logger)
            }
        }
    }

    /// The counties candidates register in, with their cities' names (the province's reference data).
    func counties() async throws -> [County] {
        try await postgres.query(
            """
            SELECT c.id, c.name, p.name FROM organisation_node c JOIN organisation_node p ON p.id = c.parent_id
            WHERE c.kind = 'county' AND c.active ORDER BY c.id
            """, logger: logger
        ).decode((String, String, String).self).reduce(into: [County]()) { $0.append(County(id: $1.0, name: $1.1, cityName: $1.2)) }
    }

    /// The national code tables the form's selects offer (民族, 政治面貌), active entries in code order.
    func codeTables() async throws -> CodeTables {
        func table(_ query: PostgresQuery) async throws -> [CodeTables.Entry] {
            try await postgres.query(query, logger: logger).decode((String, String).self)
                .reduce(into: [CodeTables.Entry]()) { $0.append(CodeTables.Entry(code: $1.0, name: $1.1)) }
        }
        return CodeTables(
            ethnicGroups: try await table("SELECT code, name FROM ethnic_group WHERE active ORDER BY code"),
            politicalStatuses: try await table("SELECT code, name FROM political_status WHERE active ORDER BY code"))
    }

    func catalogueEntry(year: Int, institution: String, major: String, level: StudyLevel) async throws -> CatalogueEntry? {
        try await catalogue(year: year)[Self.key(institution, major, level.rawValue)]
    }

    /// The year's whole catalogue (cached like the year), by institution/major/level.
    func catalogue(year: Int) async throws -> [String: CatalogueEntry] {
        if let cached = catalogue.value, cached.year == year { return cached.entries }
        let rows = try await postgres.query(
            """
            SELECT institution_code, institution_name, major_code, major_name, level, subject_category, major_category,
                   study_forms, duration, medical
            FROM catalogue_major WHERE year = \(year)
            """, logger: logger)
        var entries: [String: CatalogueEntry] = [:]
        for try await (institutionCode, institutionName, majorCode, majorName, level, subject, category, forms, duration, medical) in rows.decode(
            (String, String, String, String, String, String, String, [String], String, Bool).self)
        {
            entries[Self.key(institutionCode, majorCode, level)] = CatalogueEntry(
                institutionCode: institutionCode, institutionName: institutionName, majorCode: majorCode, majorName: majorName,
                level: StudyLevel(rawValue: level) ?? .highSchoolToAssociate, subjectCategory: subject, majorCategory: category,
                studyForms: forms.compactMap(StudyForm.init(rawValue:)), duration: duration, medical: medical)
        }
        catalogue.value = (year, entries)
        return entries
    }

    private static func key(_ institution: String, _ major: String, _ level: String) -> String { "\(institution)/\(major)/\(level)" }
}

/// A value kept for a short time, shared by the threads of one process.
final class Cache<Value: Sendable>: Sendable {
    private let state = Mutex<(value: Value, stored: ContinuousClock.Instant)?>(nil)
    private let lifetime: Duration

    init(lifetime: Duration) { self.lifetime = lifetime }

    var value: Value? {
        get {
            state.withLock { entry in
                guard let entry, ContinuousClock.now - entry.stored < lifetime else { return nil }
                return entry.value
            }
        }
        set { state.withLock { $0 = newValue.map { ($0, ContinuousClock.now) } } }
    }
}
