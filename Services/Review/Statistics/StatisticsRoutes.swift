import Access
import Foundation
import Hummingbird
import ServiceRuntime

/// `GET /staff/statistics?node=&year=`: a node's candidates counted by status, level and subject
/// category (the member's own node and the current year by default), for any node in the
/// member's subtree. Counts only, no one's data: read from the worker's read model.
struct StatisticsRoutes: Sendable {
    let access: AccessControl
    let store: StatisticsStore

    func add(to routes: ServiceRoutes) {
        routes.staff.get("staff/statistics", use: statistics)
    }

    struct Statistics: Codable, Sendable {
        let nodeID: String
        let nodeName: String
        let year: Int
        let total: Int
        let byStatus: [String: Int]
        let counts: [StatisticsStore.Count]
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
        let node = try await store.node(nodeID)
        try await access.staff.requireScope(
            member, covers: node?.path, action: "statistics.read", target: .init(kind: "organisation_node", id: nodeID), request: request)
        guard let node else { throw APIError.notFound }
        var year = asked ?? 0
        if asked == nil { year = try await store.currentYear() ?? 0 }
        let counts = try await store.counts(at: nodeID, year: year)
        let byStatus = Dictionary(grouping: counts, by: \.status).mapValues { $0.reduce(0) { $0 + $1.candidates } }
        return JSONOutput(
            Statistics(nodeID: nodeID, nodeName: node.name, year: year, total: counts.reduce(0) { $0 + $1.candidates }, byStatus: byStatus, counts: counts))
    }
}
