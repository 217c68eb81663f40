import Access
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import ServiceRuntime

/// A scope rule (参考范围) as staff see it.
struct ScopeRuleRecord: Codable, Sendable {
    let countyID: String
    /// A group's 2-digit code, or `all` for every group of the county.
    let examGroup: String
    let districtCode: String
}

/// The `exam_scope_rule` table, for the current year.
struct ScopeRuleStore: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    enum Refusal: Error { case noCurrentYear, countyOutside, districtOutside, groupUnknown, published }

    /// Sets (or, with `district` nil, removes) the rule of a county and group in `city`.
    func set(county: String, group: String, district: String?, city: StaffMember, clientAddress: String) async throws -> Refusal? {
        try await postgres.withTransaction(logger: logger) { connection -> Refusal? in
            guard let (year, groups) = try await connection.query(
                "SELECT year, coalesce(document->'examination'->'groups', '[]')::text FROM exam_year WHERE current", logger: logger
            ).decode((Int, String).self).first(where: { _ in true }) else { return .noCurrentYear }
            let published = try await connection.query(
                "SELECT 1 FROM numbering_run WHERE year = \(year) AND published_at IS NOT NULL", logger: logger
            ).decode(Int.self).first { _ in true }
            guard published == nil else { return .published }
            let inCity = try await connection.query(
                "SELECT 1 FROM organisation_node WHERE id = \(county) AND kind = 'county' AND path <@ \(city.nodePath)::ltree", logger: logger
            ).decode(Int.self).first { _ in true }
            guard inCity != nil else { return .countyOutside }
            let codes = (try? JSONDecoder().decode([NumberingInputs.Examination.Group].self, from: Data(groups.utf8)))?.map(\.code) ?? []
            guard group == "all" || codes.contains(group) else { return .groupUnknown }
            if let district {
                let ours = try await connection.query(
                    "SELECT 1 FROM exam_district WHERE code = \(district) AND city_id = \(city.nodeID)", logger: logger
                ).decode(Int.self).first { _ in true }
                guard ours != nil else { return .districtOutside }
                try await connection.query(
                    """
                    INSERT INTO exam_scope_rule (year, county_id, exam_group, district_code, set_by) VALUES (\(year), \(county), \(group), \(district), \(city.id))
                    ON CONFLICT (year, county_id, exam_group) DO UPDATE SET district_code = excluded.district_code, set_by = excluded.set_by, set_at = now()
                    """, logger: logger)
            } else {
                try await connection.query(
                    "DELETE FROM exam_scope_rule WHERE year = \(year) AND county_id = \(county) AND exam_group = \(group)", logger: logger)
            }
            try await AuditLog.record(
                .staff(city), action: district == nil ? "scope_rule.remove" : "scope_rule.set", target: .init(kind: "exam_scope_rule", id: "\(county)/\(group)"),
                clientAddress: clientAddress, on: connection, logger: logger)
            return nil
        }
    }

    func rules(under path: String) async throws -> [ScopeRuleRecord] {
        var result: [ScopeRuleRecord] = []
        for try await (county, group, district) in try await postgres.query(
            """
            SELECT r.county_id, r.exam_group, r.district_code FROM exam_scope_rule r
            JOIN exam_year y ON y.year = r.year AND y.current JOIN organisation_node n ON n.id = r.county_id
            WHERE n.path <@ \(path)::ltree ORDER BY r.county_id, r.exam_group
            """, logger: logger
        ).decode((String, String, String).self) {
            result.append(ScopeRuleRecord(countyID: county, examGroup: group, districtCode: district))
        }
        return result
    }
}

/// The city's scope rules (seed 四.9: 划定各县(市区)各科类考生的参考范围): for each of its counties
/// and each exam group (or all of them), the district whose sites its candidates sit in.
/// `PUT /staff/scope-rules` sets one, `DELETE /staff/scope-rules/{county}/{group}` removes one,
/// `GET /staff/scope-rules` lists the member's subtree. Rules may overlap; the numbering run
/// lists the candidates two rules cover.
struct ScopeRuleRoutes: Sendable {
    let access: AccessControl
    let store: ScopeRuleStore

    func add(to routes: ServiceRoutes) {
        routes.staff.put("staff/scope-rules", use: save)
        routes.staff.delete("staff/scope-rules/{county}/{group}", use: remove)
        routes.staff.get("staff/scope-rules", use: list)
    }

    @Sendable func save(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<ScopeRuleRecord> {
        let input = try await JSONInput.decode(ScopeRuleRecord.self, from: request)
        try await set(input.countyID, input.examGroup, district: input.districtCode, request, context)
        return JSONOutput(input)
    }

    @Sendable func remove(_ request: Request, _ context: ExamRequestContext) async throws -> Response {
        try await set(context.parameters.get("county") ?? "", context.parameters.get("group") ?? "", district: nil, request, context)
        return Response(status: .noContent)
    }

    private func set(_ county: String, _ group: String, district: String?, _ request: Request, _ context: ExamRequestContext) async throws {
        let member = try context.staff
        guard member.roles.contains(.cityOfficer), member.nodeKind == .city else {
            try await access.audit.record(
                .staff(member), action: "scope_rule.set", target: .init(kind: "exam_scope_rule", id: "\(county.prefix(12))/\(group.prefix(4))"), outcome: .denied,
                request: request)
            throw APIError.forbidden
        }
        guard county.count <= 12, group.count <= 3, (district?.count ?? 4) == 4 else {
            throw APIError.invalid(field: "examGroup", code: "scope_rule.invalid", message: "县市区、科类组或考区代码无效")
        }
        switch try await store.set(county: county, group: group, district: district, city: member, clientAddress: request.clientAddress) {
        case .noCurrentYear?: throw APIError(.conflict, code: "year.none", message: "没有当前考试年度")
        case .published?: throw APIError(.conflict, code: "numbering.published", message: "本年度编排已发布，参考范围不能再改")
        case .countyOutside?: throw APIError.invalid(field: "countyID", code: "county.outside", message: "本市州没有这个县市区")
        case .districtOutside?: throw APIError.invalid(field: "districtCode", code: "district.unknown", message: "本市州没有这个考区")
        case .groupUnknown?: throw APIError.invalid(field: "examGroup", code: "group.unknown", message: "本年度没有这个考试科类组（全部科类组请填 all）")
        case nil: return
        }
    }

    @Sendable func list(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<[ScopeRuleRecord]> {
        JSONOutput(try await store.rules(under: try context.staff.nodePath))
    }
}
