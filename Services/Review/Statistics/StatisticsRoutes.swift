import Access
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import ServiceRuntime

/// `GET /staff/statistics?node=&year=`: a node's candidates counted by status, level and subject
/// category (the member's own node and the current year by default), for any node in the
/// member's subtree. Counts only, no one's data: read from the worker's read model.
struct StatisticsRoutes: Sendable {
    let access: AccessControl
    let postgres: PostgresClient
    let logger: Logger

    func add(to routes: ServiceRoutes) {
        routes.staff.get("staff/statistics", use: statistics)
    }

    struct Count: Codable, Sendable {
        let status: String
        let level: String
        let subjectCategory: String
        let candidates: Int
    }

    struct Statistics: Codable, Sendable {
        let nodeID: String
        let nodeName: String
        let year: Int
        let total: Int
        let byStatus: [String: Int]
        let counts: [Count]
    }

    @Sendable func statistics(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<Statistics> {
        let member = try context.staff
        let nodeID = request.uri.queryParameters.get("node") ?? member.nodeID
        var validation = Validation()
        let yearText = request.uri.queryParameters.get("year")
        let asked = yearText.flatMap { Int($0) }
        if yearText != nil && !(2000...2100).contains(asked ?? 0) { validation.add("year", "year.range", "年度应为 2000-2100") }
        if nodeID.count > 32 { validation.add("node", "node.unknown", "没有这个机构") }
        try validation.check()
        let node = try await postgres.query("SELECT name, path::text FROM organisation_node WHERE id = \(nodeID)", logger: logger)
            .decode((String, String).self).first { _ in true }
        try await access.staff.requireScope(
            member, covers: node?.1, action: "statistics.read", target: .init(kind: "organisation_node", id: nodeID), request: request)
        guard let (name, _) = node else { throw APIError.notFound }
        var year = asked ?? 0
        if asked == nil {
            year = try await postgres.query("SELECT year FROM exam_year WHERE current", logger: logger).decode(Int.self).first { _ in true } ?? 0
        }
        var counts: [Count] = []
        for try await (status, level, category, candidates) in try await postgres.query(
            """
            SELECT status, level, subject_category, candidates FROM statistics_count
            WHERE year = \(year) AND node_id = \(nodeID) AND candidates > 0 ORDER BY status, level, subject_category
            """, logger: logger
        ).decode((String, String, String, Int).self) {
            counts.append(Count(status: status, level: level, subjectCategory: category, candidates: candidates))
        }
        let byStatus = Dictionary(grouping: counts, by: \.status).mapValues { $0.reduce(0) { $0 + $1.candidates } }
        return JSONOutput(
            Statistics(nodeID: nodeID, nodeName: name, year: year, total: counts.reduce(0) { $0 + $1.candidates }, byStatus: byStatus, counts: counts))
    }
}
