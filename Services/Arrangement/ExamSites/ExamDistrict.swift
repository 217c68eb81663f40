import Access
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import ServiceRuntime

/// An exam district (考区) as staff see it.
struct ExamDistrictRecord: Codable, Sendable {
    let code: String
    let name: String
    let cityID: String
    /// The city or the county whose officers allocate the district's rooms to its sites.
    let officeID: String
}

/// The `exam_district` table: data the province loads, each district within a city.
struct ExamDistrictStore: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    enum Refusal: Error { case cityUnknown, officeOutsideCity, arranged }

    func save(_ district: ExamDistrictRecord, by member: StaffMember, clientAddress: String) async throws -> Refusal? {
        try await postgres.withTransaction(logger: logger) { connection -> Refusal? in
            let city = try await connection.query("SELECT path::text FROM organisation_node WHERE id = \(district.cityID) AND kind = 'city'", logger: logger)
                .decode(String.self).first { _ in true }
            guard let city else { return .cityUnknown }
            let office = try await connection.query(
                "SELECT 1 FROM organisation_node WHERE id = \(district.officeID) AND kind IN ('city', 'county') AND path <@ \(city)::ltree", logger: logger
            ).decode(Int.self).first { _ in true }
            guard office != nil else { return .officeOutsideCity }
            // A district that numbered rooms keeps its city: its sites and rules were judged by it.
            let moved = try await connection.query(
                """
                SELECT 1 FROM exam_district d WHERE d.code = \(district.code) AND d.city_id <> \(district.cityID)
                  AND EXISTS (SELECT 1 FROM exam_room r WHERE r.district_code = d.code)
                """, logger: logger
            ).decode(Int.self).first { _ in true }
            guard moved == nil else { return .arranged }
            try await connection.query(
                """
                INSERT INTO exam_district (code, name, city_id, office_id) VALUES (\(district.code), \(district.name), \(district.cityID), \(district.officeID))
                ON CONFLICT (code) DO UPDATE SET name = excluded.name, city_id = excluded.city_id, office_id = excluded.office_id, updated_at = now()
                """, logger: logger)
            try await AuditLog.record(
                .staff(member), action: "exam_district.save", target: .init(kind: "exam_district", id: district.code), clientAddress: clientAddress,
                on: connection, logger: logger)
            return nil
        }
    }

    /// The districts of the cities above or below `path` (a county sees its city's).
    func districts(near path: String) async throws -> [ExamDistrictRecord] {
        var result: [ExamDistrictRecord] = []
        for try await (code, name, city, office) in try await postgres.query(
            """
            SELECT d.code, d.name, d.city_id, d.office_id FROM exam_district d JOIN organisation_node c ON c.id = d.city_id
            WHERE c.path <@ \(path)::ltree OR c.path @> \(path)::ltree ORDER BY d.code
            """, logger: logger
        ).decode((String, String, String, String).self) {
            result.append(ExamDistrictRecord(code: code, name: name, cityID: city, officeID: office))
        }
        return result
    }

    /// The district with its office's place in the tree.
    func district(_ code: String) async throws -> (record: ExamDistrictRecord, officePath: String, cityPath: String)? {
        try await postgres.query(
            """
            SELECT d.code, d.name, d.city_id, d.office_id, o.path::text, c.path::text FROM exam_district d
            JOIN organisation_node o ON o.id = d.office_id JOIN organisation_node c ON c.id = d.city_id WHERE d.code = \(code)
            """, logger: logger
        ).decode((String, String, String, String, String, String).self).first { _ in true }.map {
            (ExamDistrictRecord(code: $0.0, name: $0.1, cityID: $0.2, officeID: $0.3), $0.4, $0.5)
        }
    }
}

/// Exam districts are the province's data: `PUT /staff/exam-districts/{code}` (4 digits) with the
/// name, city and office; `GET /staff/exam-districts` lists those of the member's city or below.
struct ExamDistrictRoutes: Sendable {
    let access: AccessControl
    let store: ExamDistrictStore

    func add(to routes: ServiceRoutes) {
        routes.staff.put("staff/exam-districts/{code}", use: save)
        routes.staff.get("staff/exam-districts", use: list)
    }

    struct Input: Decodable {
        let name: String
        let cityID: String
        /// The city itself unless given.
        let officeID: String?
    }

    @Sendable func save(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<ExamDistrictRecord> {
        let member = try context.staff
        let code = context.parameters.get("code") ?? ""
        try await access.staff.requireProvince(member, action: "exam_district.save", target: .init(kind: "exam_district", id: String(code.prefix(8))), request: request)
        guard code.count == 4, code.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw APIError.invalid(field: "code", code: "district.code", message: "考区代码应为 4 位数字")
        }
        let input = try await JSONInput.decode(Input.self, from: request)
        var validation = Validation()
        let name = validation.text(input.name, field: "name", length: 2...40)
        if input.cityID.isEmpty || input.cityID.count > 32 { validation.add("cityID", "city.unknown", "没有这个市州") }
        try validation.check()
        guard let name else { throw APIError.invalid(validation.errors) }
        let record = ExamDistrictRecord(code: code, name: name, cityID: input.cityID, officeID: input.officeID ?? input.cityID)
        switch try await store.save(record, by: member, clientAddress: request.clientAddress) {
        case .cityUnknown?: throw APIError.invalid(field: "cityID", code: "city.unknown", message: "没有这个市州")
        case .officeOutsideCity?: throw APIError.invalid(field: "officeID", code: "office.outside_city", message: "考区的负责单位应为该市州或其所辖县市区")
        case .arranged?: throw APIError(.conflict, code: "district.arranged", message: "该考区已编排考场，不能改到其他市州")
        case nil: return JSONOutput(record)
        }
    }

    @Sendable func list(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<[ExamDistrictRecord]> {
        JSONOutput(try await store.districts(near: try context.staff.nodePath))
    }
}
