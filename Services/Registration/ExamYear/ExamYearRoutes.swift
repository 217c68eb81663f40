import Access
import Foundation
import Hummingbird
import NIOCore
import ServiceRuntime

/// The exam year as data, changed by the province without a release:
/// - `PUT /staff/exam-years/{year}`: the year's document (calendar, fee, code lists, pledge), JSON;
///   `GET` gives it back whole, for the console's editor;
///   it becomes the current year;
/// - `PUT /staff/exam-years/{year}/catalogue`: the enrolment catalogue, CSV, all rows or none;
/// - `GET /exam-year`: the current year as candidates' pages need it;
/// - `GET /catalogue?level=…&q=…`: the current year's majors of a level, searched by institution
///   or major (name or code), for the candidates' choice pages;
/// - `GET /counties`: the counties a candidate may register in, for the sign-up page;
/// - `GET /code-tables`: the national code tables the form chooses from (民族, 政治面貌).
struct ExamYearRoutes: Sendable {
    let access: AccessControl
    let years: ExamYearStore

    func add(to routes: ServiceRoutes) {
        routes.staff.get("staff/exam-years/{year}", use: year)
        routes.staff.put("staff/exam-years/{year}", use: saveYear)
        routes.staff.put("staff/exam-years/{year}/catalogue", use: replaceCatalogue)
        routes.open.get("exam-year", use: current)
        routes.open.get("catalogue", use: search)
        routes.open.get("counties", use: counties)
        routes.open.get("code-tables", use: codeTables)
    }

    @Sendable func codeTables(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<CodeTables> {
        JSONOutput(try await years.codeTables())
    }

    @Sendable func counties(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<[County]> {
        JSONOutput(try await years.counties())
    }

    struct CatalogueMatches: Encodable, Sendable {
        let majors: [CatalogueEntry]
        /// More matched than are listed: the search should be narrower.
        let more: Bool
    }

    @Sendable func search(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<CatalogueMatches> {
        guard let level = request.uri.queryParameters.get("level").flatMap(StudyLevel.init(rawValue:)) else {
            throw APIError.invalid(field: "level", code: "level.invalid", message: "请选择报考层次")
        }
        let words = (request.uri.queryParameters.get("q") ?? "").trimmingCharacters(in: .whitespaces)
        guard words.count <= 30 else { throw APIError.invalid(field: "q", code: "q.length", message: "搜索词至多 30 字") }
        guard let year = try await years.current()?.year else { throw APIError(.notFound, code: "exam_year.none", message: "本年度报名尚未开放") }
        let matches = try await years.catalogue(year: year).values
            .filter { $0.level == level && (words.isEmpty || [$0.institutionName, $0.institutionCode, $0.majorName, $0.majorCode].contains { $0.contains(words) }) }
            .sorted { ($0.institutionCode, $0.majorCode) < ($1.institutionCode, $1.majorCode) }
        return JSONOutput(CatalogueMatches(majors: Array(matches.prefix(50)), more: matches.count > 50))
    }

    @Sendable func year(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<ExamYearDocument> {
        _ = try await provinceAdministrator(request, context, action: "exam_year.read")
        guard let document = try await years.document(year: try Self.year(context)) else {
            throw APIError(.notFound, code: "exam_year.unknown", message: "该年度尚未设置")
        }
        return JSONOutput(document)
    }

    @Sendable func saveYear(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<ExamYearDocument> {
        let member = try await provinceAdministrator(request, context, action: "exam_year.change")
        let year = try Self.year(context)
        var request = request
        let body = try await request.collectBody(upTo: 256 * 1024)
        let document: ExamYearDocument
        do {
            document = try ExamYearDocument.decoder.decode(ExamYearDocument.self, from: Data(body.readableBytesView))
        } catch let error as DecodingError {
            throw APIError(.badRequest, code: "invalid_json", message: "年度设置格式有误", fields: [JSONInput.fieldError(error)])
        }
        var problems = document.problems().map { FieldError(field: $0.field, code: "exam_year.invalid", message: $0.message) }
        if document.year != year { problems.append(FieldError(field: "year", code: "exam_year.mismatch", message: "年度与地址不符")) }
        guard problems.isEmpty else { throw APIError.invalid(problems) }
        try await years.save(document, by: member.id)
        try await access.audit.record(.staff(member), action: "exam_year.change", target: .init(kind: "exam_year", id: String(year)), request: request)
        return JSONOutput(document)
    }

    @Sendable func replaceCatalogue(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<[String: Int]> {
        let member = try await provinceAdministrator(request, context, action: "catalogue.replace")
        let year = try Self.year(context)
        guard try await years.yearExists(year) else {
            throw APIError.invalid(field: "year", code: "exam_year.unknown", message: "请先设置该年度")
        }
        let body = try await request.body(upTo: 8 * 1024 * 1024, orElse: APIError(.contentTooLarge, code: "body_too_large", message: "文件过大（最大 8 MB）"))
        guard case .csv(let text) = TableFile.sniff(Array(buffer: body)) else {
            throw APIError(.badRequest, code: "invalid_encoding", message: "文件须为 UTF-8 编码的 CSV")
        }
        let entries = try CatalogueCSV.parse(text)
        try await years.replaceCatalogue(year, with: entries)
        try await access.audit.record(.staff(member), action: "catalogue.replace", target: .init(kind: "exam_year", id: String(year)), request: request)
        return JSONOutput(["majors": entries.count])
    }

    struct PublicYear: Encodable, Sendable {
        let year: Int
        let calendar: ExamYearDocument.Calendar
        let feeFen: Int
        let codeLists: ExamYearDocument.CodeLists
        let pledgeVersion: String
    }

    @Sendable func current(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<PublicYear> {
        guard let year = try await years.current() else { throw APIError(.notFound, code: "exam_year.none", message: "本年度报名尚未开放") }
        return JSONOutput(PublicYear(year: year.year, calendar: year.calendar, feeFen: year.feeFen, codeLists: year.codeLists, pledgeVersion: year.pledge.version))
    }

    private func provinceAdministrator(_ request: Request, _ context: ExamRequestContext, action: String) async throws -> StaffMember {
        let member = try context.staff
        try await access.staff.requireProvince(member, action: action, target: .init(kind: "exam_year", id: "-"), request: request)
        return member
    }

    static func year(_ context: ExamRequestContext) throws -> Int {
        guard let raw = context.parameters.get("year"), raw.count == 4, let year = Int(raw), (2000...2100).contains(year) else {
            throw APIError.invalid(field: "year", code: "year.format", message: "年度应为 4 位数字")
        }
        return year
    }
}
