import Foundation
import Logging
import PostgresNIO
import SwiftCSV

/// The reference tables the examination authority supplies as CSV files (`Shared/Storage/Reference`),
/// and may replace with corrected ones at any time.
public enum ReferenceTable: String, CaseIterable, Sendable {
    /// Province, cities and counties (GB/T 2260 codes): the upper organisation tree.
    case divisions
    case ethnicGroups = "ethnic-groups"
    case politicalStatus = "political-status"

    /// The file shipped in the repository for this table.
    public var shippedFile: String {
        switch self {
        case .divisions: "Shared/Storage/Reference/hunan-divisions.csv"
        case .ethnicGroups: "Shared/Storage/Reference/ethnic-groups.csv"
        case .politicalStatus: "Shared/Storage/Reference/political-status.csv"
        }
    }

    var header: [String] {
        switch self {
        case .divisions: ["code", "name", "level", "parent_code"]
        case .ethnicGroups, .politicalStatus: ["code", "name"]
        }
    }
}

/// A row that cannot be imported; `line` counts the header as line 1, as a spreadsheet does.
public struct ReferenceRowError: Error, Sendable, Equatable, CustomStringConvertible {
    public let line: Int
    public let field: String
    public let message: String
    public var description: String { "line \(line), \(field): \(message)" }
}

public struct ReferenceImportFailed: Error, Sendable, CustomStringConvertible {
    public let table: ReferenceTable
    public let errors: [ReferenceRowError]
    public var description: String {
        "\(table.rawValue): nothing imported, \(errors.count) error(s):\n" + errors.map { "  \($0)" }.joined(separator: "\n")
    }
}

public struct ReferenceImportReport: Sendable, Equatable {
    public var inserted = 0
    public var updated = 0
    public var unchanged = 0
    /// Present before, absent from the new file: marked inactive, never deleted.
    public var retired = 0

    public init(inserted: Int = 0, updated: Int = 0, unchanged: Int = 0, retired: Int = 0) {
        self.inserted = inserted
        self.updated = updated
        self.unchanged = unchanged
        self.retired = retired
    }
}

/// Imports a whole file or nothing: every row is validated first, then all are written in one
/// transaction. Re-importing the same file changes nothing.
public struct ReferenceImporter: Sendable {
    private let logger: Logger

    public init(logger: Logger) { self.logger = logger }

    @discardableResult
    public func importCSV(_ text: String, into table: ReferenceTable, client: PostgresClient) async throws -> ReferenceImportReport {
        let rows = try Self.parse(text, table: table)
        switch table {
        case .divisions:
            let divisions = try Self.validateDivisions(rows)
            return try await client.withTransaction(logger: logger) { try await writeDivisions(divisions, on: $0) }
        case .ethnicGroups, .politicalStatus:
            let codes = try Self.validateCodes(rows, table: table)
            let sqlTable = table == .ethnicGroups ? "ethnic_group" : "political_status"
            return try await client.withTransaction(logger: logger) { try await writeCodes(codes, table: sqlTable, on: $0) }
        }
    }

    // MARK: parsing and validation (pure)

    struct Row {
        let line: Int
        let fields: [String: String]
    }

    static func parse(_ text: String, table: ReferenceTable) throws -> [Row] {
        let stripped = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        let csv: CSV<Enumerated>
        // The rows as they are: the parsed view pads short rows, which would hide a missing field.
        var records: [[String]] = []
        do {
            csv = try CSV<Enumerated>(string: stripped, delimiter: .comma, loadColumns: false, rowLimit: 0)
            try csv.enumerateAsArray(startAt: 1, rowLimit: nil) { records.append($0) }
        } catch {
            throw ReferenceImportFailed(table: table, errors: [ReferenceRowError(line: 1, field: "file", message: "not a CSV file: \(error)")])
        }
        let header = csv.header.map { $0.trimmingCharacters(in: .whitespaces) }
        guard header == table.header else {
            throw ReferenceImportFailed(table: table, errors: [
                ReferenceRowError(line: 1, field: "header", message: "expected \(table.header.joined(separator: ",")), found \(header.joined(separator: ","))")
            ])
        }
        var rows: [Row] = []
        var errors: [ReferenceRowError] = []
        for (index, values) in records.enumerated() {
            let line = index + 2
            if values.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            guard values.count == header.count else {
                errors.append(ReferenceRowError(line: line, field: "row", message: "expected \(header.count) fields, found \(values.count)"))
                continue
            }
            var fields: [String: String] = [:]
            for (name, value) in zip(header, values) { fields[name] = value.trimmingCharacters(in: .whitespaces) }
            rows.append(Row(line: line, fields: fields))
        }
        if !errors.isEmpty { throw ReferenceImportFailed(table: table, errors: errors) }
        if rows.isEmpty {
            throw ReferenceImportFailed(table: table, errors: [ReferenceRowError(line: 2, field: "file", message: "no rows")])
        }
        return rows
    }

    struct Division: Equatable {
        enum Level: String { case province, city, county }
        let code: String
        let name: String
        let level: Level
        let parentCode: String?
    }

    static func validateDivisions(_ rows: [Row]) throws -> [Division] {
        var errors: [ReferenceRowError] = []
        var divisions: [Division] = []
        var lineOf: [String: Int] = [:]
        for row in rows {
            let code = row.fields["code"]!, name = row.fields["name"]!, parent = row.fields["parent_code"]!
            var valid = true
            func fail(_ field: String, _ message: String) {
                errors.append(ReferenceRowError(line: row.line, field: field, message: message))
                valid = false
            }
            if code.count != 6 || !code.allSatisfy(\.isASCIIDigit) { fail("code", "must be 6 digits") }
            if let first = lineOf[code] { fail("code", "\(code) already on line \(first)") }
            if name.isEmpty || name.count > 50 { fail("name", "must be 1 to 50 characters") }
            let level = Division.Level(rawValue: row.fields["level"]!)
            if level == nil { fail("level", "must be province, city or county") }
            if level == .province, !parent.isEmpty { fail("parent_code", "the province has no parent") }
            if level != .province, level != nil, parent.isEmpty { fail("parent_code", "required for a \(level!.rawValue)") }
            guard valid, let level else { continue }
            lineOf[code] = row.line
            divisions.append(Division(code: code, name: name, level: level, parentCode: parent.isEmpty ? nil : parent))
        }
        let byCode = Dictionary(divisions.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
        let provinces = divisions.filter { $0.level == .province }
        if provinces.count != 1, errors.isEmpty {
            errors.append(ReferenceRowError(line: 2, field: "level", message: "exactly one province expected, found \(provinces.count)"))
        }
        for division in divisions {
            guard let parentCode = division.parentCode else { continue }
            let expected: Division.Level = division.level == .city ? .province : .city
            guard let parent = byCode[parentCode] else {
                errors.append(ReferenceRowError(line: lineOf[division.code]!, field: "parent_code", message: "\(parentCode) is not in the file"))
                continue
            }
            if parent.level != expected {
                errors.append(ReferenceRowError(
                    line: lineOf[division.code]!, field: "parent_code",
                    message: "a \(division.level.rawValue)'s parent must be a \(expected.rawValue); \(parentCode) is a \(parent.level.rawValue)"))
            }
        }
        if !errors.isEmpty { throw ReferenceImportFailed(table: .divisions, errors: errors.sorted { $0.line < $1.line }) }
        // Parents before children, so that each insert finds its parent.
        let order: [Division.Level] = [.province, .city, .county]
        return divisions.sorted { order.firstIndex(of: $0.level)! < order.firstIndex(of: $1.level)! }
    }

    struct Code: Equatable {
        let code: String
        let name: String
    }

    static func validateCodes(_ rows: [Row], table: ReferenceTable) throws -> [Code] {
        var errors: [ReferenceRowError] = []
        var seen: [String: Int] = [:]
        var codes: [Code] = []
        for row in rows {
            let code = row.fields["code"]!, name = row.fields["name"]!
            let before = errors.count
            if code.count != 2 || !code.allSatisfy(\.isASCIIDigit) {
                errors.append(ReferenceRowError(line: row.line, field: "code", message: "must be 2 digits"))
            } else if let first = seen[code] {
                errors.append(ReferenceRowError(line: row.line, field: "code", message: "\(code) already on line \(first)"))
            }
            if name.isEmpty || name.count > 50 {
                errors.append(ReferenceRowError(line: row.line, field: "name", message: "must be 1 to 50 characters"))
            }
            guard errors.count == before else { continue }
            seen[code] = row.line
            codes.append(Code(code: code, name: name))
        }
        if !errors.isEmpty { throw ReferenceImportFailed(table: table, errors: errors) }
        return codes
    }

    // MARK: writing

    private func writeDivisions(_ divisions: [Division], on connection: PostgresConnection) async throws -> ReferenceImportReport {
        var report = ReferenceImportReport()
        var paths: [String: String] = [:]
        for division in divisions {
            let path = division.parentCode.map { "\(paths[$0]!).\(division.code)" } ?? division.code
            paths[division.code] = path
            let rows = try await connection.query(
                """
                INSERT INTO organisation_node (id, kind, name, parent_id, path)
                VALUES (\(division.code), \(division.level.rawValue), \(division.name), \(division.parentCode), \(path)::ltree)
                ON CONFLICT (id) DO UPDATE
                   SET kind = excluded.kind, name = excluded.name, parent_id = excluded.parent_id,
                       path = excluded.path, active = true, updated_at = now()
                 WHERE (organisation_node.kind, organisation_node.name, organisation_node.parent_id, organisation_node.path, organisation_node.active)
                       IS DISTINCT FROM (excluded.kind, excluded.name, excluded.parent_id, excluded.path, true)
                RETURNING (xmax = 0) AS inserted
                """, logger: logger)
            report.count(try await rows.decode(Bool.self).first { _ in true })
        }
        // Nodes below counties (confirmation points, exam sites) follow their parent's new path.
        var moved = 1
        while moved > 0 {
            moved = try await connection.query(
                """
                WITH updated AS (
                    UPDATE organisation_node child SET path = parent.path || child.id::ltree
                      FROM organisation_node parent
                     WHERE child.parent_id = parent.id AND child.path <> parent.path || child.id::ltree
                    RETURNING 1)
                SELECT count(*)::int FROM updated
                """, logger: logger
            ).decode(Int.self).first { _ in true } ?? 0
        }
        let codes = divisions.map(\.code)
        report.retired = try await connection.query(
            """
            WITH retired AS (
                UPDATE organisation_node SET active = false, updated_at = now()
                 WHERE kind IN ('province', 'city', 'county') AND active AND NOT (id = ANY(\(codes)))
                RETURNING 1)
            SELECT count(*)::int FROM retired
            """, logger: logger
        ).decode(Int.self).first { _ in true } ?? 0
        report.unchanged = divisions.count - report.inserted - report.updated
        return report
    }

    private func writeCodes(_ codes: [Code], table: String, on connection: PostgresConnection) async throws -> ReferenceImportReport {
        var report = ReferenceImportReport()
        // The table name is one of two constants chosen above, never input.
        let upsert = """
            INSERT INTO \(table) (code, name) VALUES ($1, $2)
            ON CONFLICT (code) DO UPDATE SET name = excluded.name, active = true, updated_at = now()
             WHERE (\(table).name, \(table).active) IS DISTINCT FROM (excluded.name, true)
            RETURNING (xmax = 0) AS inserted
            """
        for code in codes {
            var bindings = PostgresBindings()
            bindings.append(code.code)
            bindings.append(code.name)
            let rows = try await connection.query(PostgresQuery(unsafeSQL: upsert, binds: bindings), logger: logger)
            report.count(try await rows.decode(Bool.self).first { _ in true })
        }
        var bindings = PostgresBindings()
        bindings.append(codes.map(\.code))
        report.retired = try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    WITH retired AS (UPDATE \(table) SET active = false, updated_at = now() WHERE active AND NOT (code = ANY($1)) RETURNING 1)
                    SELECT count(*)::int FROM retired
                    """, binds: bindings), logger: logger
        ).decode(Int.self).first { _ in true } ?? 0
        report.unchanged = codes.count - report.inserted - report.updated
        return report
    }
}

extension ReferenceImportReport {
    /// `nil` means the upsert's WHERE found nothing to change.
    mutating func count(_ inserted: Bool?) {
        switch inserted {
        case true?: self.inserted += 1
        case false?: updated += 1
        case nil: break
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension ReferenceImporter {
    public static func isEmpty(_ table: ReferenceTable, client: PostgresClient, logger: Logger) async throws -> Bool {
        let query: PostgresQuery =
            switch table {
            case .divisions: "SELECT count(*)::int FROM organisation_node WHERE kind IN ('province', 'city', 'county')"
            case .ethnicGroups: "SELECT count(*)::int FROM ethnic_group"
            case .politicalStatus: "SELECT count(*)::int FROM political_status"
            }
        let count = try await client.query(query, logger: logger).decode(Int.self).first { _ in true } ?? 0
        return count == 0
    }
}
