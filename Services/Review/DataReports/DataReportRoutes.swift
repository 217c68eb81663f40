import Access
import Contracts
import Foundation
import Hummingbird
import ServiceRuntime
import Storage

/// Data reporting (数据上报), county -> city -> the province's information office (信息处):
/// - `GET /staff/reports/blockers?unit=`: what stops a unit (the member's own by default) from reporting;
/// - `POST /staff/reports`: a county or city officer certifies and reports their unit (a frozen
///   snapshot), or 409 `report.blocked` naming every blocker;
/// - `GET /staff/reports?unit=&before=`, `GET /staff/reports/{id}`: reports in the member's subtree;
/// - `GET /staff/reports/{id}/difference`: against the unit's previous report: candidates added,
///   removed, and which fields changed;
/// - `POST /staff/reports/{id}/accept`, `.../return` `{"reason", "items": [{"candidateID", "field", "note"}]}`,
///   `.../reopen` `{"reason"}`: the level above (the city for a county, the province for a city);
/// - `GET /staff/reports/{id}/export?format=csv|xlsx|dbf` (DBF for a city's report the province
///   accepted) and `GET /staff/reports/{id}/export-problems` (characters GBK cannot encode, data
///   that could not be opened);
///   `GET /staff/exports/province?format=csv|xlsx|dbf`: the province's accepted data set.
/// Every route is scoped to the member's subtree and audited.
struct DataReportRoutes: Sendable {
    let access: AccessControl
    let store: DataReportStore
    let export: ReportExport

    func add(to routes: ServiceRoutes) {
        routes.staff.get("staff/reports/blockers", use: blockers)
        routes.staff.post("staff/reports", use: report)
        routes.staff.get("staff/reports", use: list)
        routes.staff.get("staff/reports/{id}", use: show)
        routes.staff.get("staff/reports/{id}/difference", use: difference)
        routes.staff.post("staff/reports/{id}/accept", use: accept)
        routes.staff.post("staff/reports/{id}/return", use: giveBack)
        routes.staff.post("staff/reports/{id}/reopen", use: reopen)
        routes.staff.get("staff/reports/{id}/export", use: exportReport)
        routes.staff.get("staff/reports/{id}/export-problems", use: exportProblems)
        routes.staff.get("staff/exports/province", use: exportProvince)
    }

    static let pageSize = 100

    /// What an organisation node's id can be (letters and digits): anything else names no unit.
    static func isNodeID(_ text: String) -> Bool {
        (1...32).contains(text.count) && text.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }
    }

    private func year() async throws -> Int {
        guard let year = try await CurrentExamYear.year(postgres: store.postgres, logger: store.logger) else { throw DataReportRules.noYear }
        return year
    }

    struct Blockers: Codable, Sendable {
        let unitID: String
        let level: String
        let blockers: [ReportBlocker]
    }

    @Sendable func blockers(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<Blockers> {
        let member = try context.staff
        let unitID = request.uri.queryParameters.get("unit") ?? member.nodeID
        guard Self.isNodeID(unitID) else { throw APIError.invalid(field: "unit", code: "unit.unknown", message: "没有这个单位") }
        let unit = try await store.unit(unitID)
        try await access.staff.requireScope(member, covers: unit?.path, action: "report.blockers", target: .init(kind: "organisation_node", id: unitID), request: request)
        guard let unit, unit.kind == "county" || unit.kind == "city" else {
            throw APIError.invalid(field: "unit", code: "unit.not_reporting", message: "只有县市区和市州上报数据")
        }
        return JSONOutput(Blockers(unitID: unit.id, level: unit.kind, blockers: try await store.blockers(path: unit.path, level: unit.kind, year: try await year())))
    }

    @Sendable func report(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<DataReportSummary> {
        let member = try context.staff
        guard let level = DataReportRules.reportingLevel(of: member), let unit = try await store.unit(member.nodeID) else {
            try await access.audit.record(.staff(member), action: "report.submit", target: .init(kind: "organisation_node", id: member.nodeID), outcome: .denied, request: request)
            throw DataReportRules.notReporter
        }
        let id = try await store.report(unit, level: level, year: try await year(), by: member, clientAddress: request.clientAddress)
        guard let saved = try await store.report(id) else { throw DataReportRules.none }
        return JSONOutput(saved.summary, status: .created)
    }

    struct Reports: Codable, Sendable {
        let reports: [DataReportSummary]
        /// The `before` of the next page; nil on the last.
        let next: Int64?
    }

    @Sendable func list(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<Reports> {
        let member = try context.staff
        let query = request.uri.queryParameters
        var validation = Validation()
        let unitID = query.get("unit")
        if let unitID, !Self.isNodeID(unitID) { validation.add("unit", "unit.unknown", "没有这个单位") }
        let before = query.get("before").map { Int64($0) ?? 0 }
        if let before, before <= 0 { validation.add("before", "before.invalid", "应为上报编号") }
        try validation.check()
        if let unitID {
            let unit = try await store.unit(unitID)
            try await access.staff.requireScope(member, covers: unit?.path, action: "report.list", target: .init(kind: "organisation_node", id: unitID), request: request)
        }
        let reports = try await store.reports(under: member.nodePath, unitID: unitID, before: before, limit: Self.pageSize)
        return JSONOutput(Reports(reports: reports, next: reports.count == Self.pageSize ? reports.last?.id : nil))
    }

    /// The report if the member's subtree holds its unit (audited as `action`), else 403.
    private func scoped(_ request: Request, _ context: ExamRequestContext, action: String) async throws -> (StaffMember, DataReportSummary, String) {
        let member = try context.staff
        let id = try context.positiveID()
        let found = try await store.report(id)
        try await access.staff.requireScope(member, covers: found?.unitPath, action: action, target: .init(kind: "data_report", id: String(id)), request: request)
        guard let found else { throw DataReportRules.none }
        return (member, found.summary, found.unitPath)
    }

    @Sendable func show(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<DataReportSummary> {
        JSONOutput(try await scoped(request, context, action: "report.read").1)
    }

    @Sendable func difference(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<ReportDifference> {
        let (_, report, _) = try await scoped(request, context, action: "report.difference")
        guard let previous = report.previousID else { throw DataReportRules.noPrevious }
        return JSONOutput(try await store.difference(report.id, from: previous))
    }

    /// The report if the member is the level above its unit; else 403, audited.
    private func decidable(_ request: Request, _ context: ExamRequestContext, action: String) async throws -> (StaffMember, DataReportSummary) {
        let member = try context.staff
        let id = try context.positiveID()
        let found = try await store.report(id)
        let allowed = found.map { DataReportRules.decides(member, level: $0.summary.level, unitPath: $0.unitPath) } ?? false
        try await access.staff.requireScope(member, covers: allowed ? found?.unitPath : nil, action: action, target: .init(kind: "data_report", id: String(id)), request: request)
        guard let found else { throw DataReportRules.none }
        return (member, found.summary)
    }

    @Sendable func accept(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<DataReportSummary> {
        let (member, report) = try await decidable(request, context, action: "report.accept")
        try await store.accept(report.id, by: member, clientAddress: request.clientAddress)
        return try await shown(report.id)
    }

    struct Return: Decodable {
        let reason: String
        let items: [ReturnItem]?
    }

    @Sendable func giveBack(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<DataReportSummary> {
        let (member, report) = try await decidable(request, context, action: "report.return")
        let input = try await JSONInput.decode(Return.self, from: request)
        var validation = Validation()
        let reason = validation.text(input.reason, field: "reason", length: 2...500)
        let items = input.items ?? []
        if items.count > 1_000 { validation.add("items", "items.too_many", "一次最多退回 1000 项") }
        let named = try await store.covers(report.id, candidates: items.prefix(1_000).compactMap(\.candidateID))
        for (index, item) in items.prefix(1_000).enumerated() {
            if let candidate = item.candidateID, !named.contains(candidate) {
                validation.add("items[\(index)].candidateID", "report.candidate_unknown", "这次上报中没有这名考生")
            }
            if let field = item.field, !ReportedFields.all.contains(field) { validation.add("items[\(index)].field", "report.field_unknown", "没有这个字段") }
            if !(1...300).contains(item.note.count) { validation.add("items[\(index)].note", "text.length", "说明应为 1-300 字") }
        }
        try validation.check()
        try await store.giveBack(report.id, reason: reason ?? "", items: items, by: member, clientAddress: request.clientAddress)
        return try await shown(report.id)
    }

    struct Reopen: Decodable {
        let reason: String
    }

    @Sendable func reopen(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<DataReportSummary> {
        let (member, report) = try await decidable(request, context, action: "report.reopen")
        let input = try await JSONInput.decode(Reopen.self, from: request)
        var validation = Validation()
        let reason = validation.text(input.reason, field: "reason", length: 2...500)
        try validation.check()
        try await store.reopen(report.id, reason: reason ?? "", by: member, clientAddress: request.clientAddress)
        return try await shown(report.id)
    }

    private func shown(_ id: Int64) async throws -> JSONOutput<DataReportSummary> {
        guard let report = try await store.report(id) else { throw DataReportRules.none }
        return JSONOutput(report.summary)
    }

    private func format(_ request: Request) throws -> String {
        let format = request.uri.queryParameters.get("format") ?? "xlsx"
        guard ["csv", "xlsx", "dbf"].contains(format) else { throw APIError.invalid(field: "format", code: "format.unknown", message: "应为 csv、xlsx 或 dbf") }
        return format
    }

    @Sendable func exportReport(_ request: Request, _ context: ExamRequestContext) async throws -> Response {
        let format = try format(request)
        let (member, report, _) = try await scoped(request, context, action: "report.export")
        if format == "dbf" && !(report.level == "city" && report.status == "accepted") { throw DataReportRules.dbfNotAccepted }
        try await access.audit.record(.staff(member), action: "report.export.\(format)", target: .init(kind: "data_report", id: String(report.id)), request: request)
        return try await file(of: [report.id], format: format, name: "report-\(report.id)")
    }

    struct Problems: Codable, Sendable {
        let problems: [ReportExport.Problem]
    }

    @Sendable func exportProblems(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<Problems> {
        let (member, report, _) = try await scoped(request, context, action: "report.export_problems")
        try await access.audit.record(.staff(member), action: "report.export_problems", target: .init(kind: "data_report", id: String(report.id)), request: request)
        return JSONOutput(Problems(problems: export.dbf(try await export.rows(of: [report.id])).problems))
    }

    @Sendable func exportProvince(_ request: Request, _ context: ExamRequestContext) async throws -> Response {
        let member = try context.staff
        let format = try format(request)
        guard member.isProvinceAdministrator || (member.nodeKind == .province && member.roles.contains(.auditor)) else {
            try await access.audit.record(.staff(member), action: "report.export_province", target: .init(kind: "organisation_node", id: member.nodeID), outcome: .denied, request: request)
            throw APIError.forbidden
        }
        let year = try await year()
        let accepted = try await store.acceptedCityReports(year: year)
        try await access.audit.record(.staff(member), action: "report.export_province.\(format)", target: .init(kind: "organisation_node", id: member.nodeID), request: request)
        return try await file(of: accepted, format: format, name: "province-\(year)")
    }

    private func file(of reports: [Int64], format: String, name: String) async throws -> Response {
        let rows = try await export.rows(of: reports)
        let (bytes, type): ([UInt8], String) = switch format {
        case "csv": (export.table(rows).csv(), "text/csv; charset=utf-8")
        case "dbf": (export.dbf(rows).file, "application/x-dbf")
        default: (try export.table(rows).xlsx(sheetName: name), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        }
        return Response(
            status: .ok,
            headers: [.contentType: type, .cacheControl: "no-store", .contentDisposition: "attachment; filename=\"\(name).\(format)\""],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
