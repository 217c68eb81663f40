import Access
import Foundation
import Hummingbird
import ServiceRuntime

/// `GET /staff/statistics?node=&year=`: a node's candidates counted by status, level, subject
/// category, exemption stage and counted bonus (the member's own node and the current year by
/// default), with totals by status, level, subject category, exemption and bonus, for any node in the
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
        let byLevel: [String: Int]
        let bySubjectCategory: [String: Int]
        /// By exemption stage; candidates without an application are not counted here.
        let byExemption: [String: Int]
        /// By counted bonus points; candidates without a bonus are not counted here.
        let byBonus: [String: Int]
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
        func total(by key: (StatisticsStore.Count) -> String) -> [String: Int] {
            Dictionary(grouping: counts.filter { !key($0).isEmpty }, by: key).mapValues { $0.reduce(0) { $0 + $1.candidates } }
        }
        return JSONOutput(
            Statistics(
                nodeID: nodeID, nodeName: node.name, year: year, total: counts.reduce(0) { $0 + $1.candidates }, byStatus: total(by: \.status),
                byLevel: total(by: \.level), bySubjectCategory: total(by: \.subjectCategory), byExemption: total(by: \.exemption), byBonus: total(by: \.bonus),
                counts: counts))
    }
}
