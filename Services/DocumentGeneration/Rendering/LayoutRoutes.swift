import Access
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import ServiceRuntime

/// The current year's layout of each page kind: `GET /staff/document-layouts/{kind}` (any staff),
/// `PUT` (the province; tried on sample content first, so a mistake is refused, not printed).
/// Documents made afterwards use it; those already made keep theirs.
struct LayoutRoutes: Sendable {
    let access: AccessControl
    let postgres: PostgresClient
    let logger: Logger

    func add(to routes: ServiceRoutes) {
        routes.staff.get("staff/document-layouts/{kind}", use: read)
        routes.staff.put("staff/document-layouts/{kind}", use: replace)
    }

    struct Described: Codable, Sendable {
        let kind: String
        let year: Int
        /// `year` (the year's own) or `bundled`.
        let source: String
        let layout: Layout
        let values: [String]
        let lists: [String: [String]]
        let images: [String]
    }

    private func kind(_ context: ExamRequestContext) throws -> PageKind {
        guard let kind = context.parameters.get("kind").flatMap(PageKind.init(rawValue:)) else { throw APIError.notFound }
        return kind
    }

    private func currentYear() async throws -> Int {
        guard let year = try await postgres.query("SELECT year FROM exam_year WHERE current", logger: logger).decode(Int.self).first(where: { _ in true }) else {
            throw APIError(.conflict, code: "exam_year.missing", message: "尚未设置当前考试年度")
        }
        return year
    }

    @Sendable func read(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<Described> {
        _ = try context.staff
        let kind = try kind(context)
        let year = try await currentYear()
        let own = try await postgres.query(
            "SELECT layout::text FROM document_layout WHERE year = \(year) AND page_kind = \(kind.rawValue)", logger: logger
        ).decode(String.self).first { _ in true }
        let layout = try own.map { try JSONDecoder().decode(Layout.self, from: Data($0.utf8)) } ?? LayoutBook.bundled[kind]!
        let contract = kind.contract
        return JSONOutput(
            Described(
                kind: kind.rawValue, year: year, source: own == nil ? "bundled" : "year", layout: layout, values: contract.values, lists: contract.lists,
                images: contract.images))
    }

    @Sendable func replace(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<Described> {
        let member = try context.staff
        let kind = try kind(context)
        try await access.staff.requireProvince(member, action: "document_layout.put", target: .init(kind: "document_layout", id: kind.rawValue), request: request)
        let layout = try await JSONInput.decode(Layout.self, from: request)
        guard (50...1200).contains(layout.page.width), (50...1200).contains(layout.page.height) else {
            throw APIError.invalid(field: "page", code: "layout.page", message: "页面尺寸应在 50-1200 毫米之间")
        }
        do {
            try kind.check(layout)
        } catch let error as LayoutError {
            throw APIError.invalid(field: "elements", code: "layout.invalid", message: error.description)
        }
        let year = try await currentYear()
        let json = String(decoding: try JSONEncoder().encode(layout), as: UTF8.self)
        try await postgres.withTransaction(logger: logger) { connection in
            try await connection.query(
                """
                INSERT INTO document_layout (year, page_kind, layout, updated_by) VALUES (\(year), \(kind.rawValue), \(json)::jsonb, \(member.id))
                ON CONFLICT (year, page_kind) DO UPDATE SET layout = excluded.layout, updated_by = excluded.updated_by, updated_at = now()
                """, logger: logger)
            try await AuditLog.record(
                .staff(member), action: "document_layout.put", target: .init(kind: "document_layout", id: kind.rawValue), clientAddress: request.clientAddress,
                on: connection, logger: logger)
        }
        return try await read(request, context)
    }
}
