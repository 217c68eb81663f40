import Access
import Foundation
import Hummingbird
import ServiceRuntime

/// The city's review of bonus points (照顾加分); no province step (SPEC §9):
/// - `GET /staff/bonus-claims?status=open|decided&after=`: the points' claims in the member's
///   subtree (audited), 500 at a time;
/// - `GET /staff/candidates/{id}/bonus`: a candidate's claims, list entries and automatic awards,
///   and the one that counts (the highest accepted);
/// - `PUT /staff/candidates/{id}/bonus/{policy}` `{"decision": "accept"|"reject", "reason"}`: the
///   city's decision on a claim;
/// - `POST /staff/bonus-lists` (a CSV or XLSX file with the columns 考生号, 政策代码, 证明材料):
///   the city enters awards for a list of its candidates, with a report for every row.
struct BonusReviewRoutes: Sendable {
    let access: AccessControl
    let store: BonusReviewStore

    func add(to routes: ServiceRoutes) {
        routes.staff.get("staff/bonus-claims", use: list)
        routes.staff.get("staff/candidates/{id}/bonus", use: bonus)
        routes.staff.put("staff/candidates/{id}/bonus/{policy}", use: decide)
        routes.staff.post("staff/bonus-lists", use: enterList)
    }

    static let pageSize = 500
    static let maxFileBytes = 5 << 20

    struct Claims: Codable, Sendable {
        let claims: [BonusClaimCase]
        /// The `after` of the next page (`candidateID:policyCode`); nil on the last.
        let next: String?
    }

    @Sendable func list(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<Claims> {
        let member = try context.staff
        let query = request.uri.queryParameters
        var validation = Validation()
        let status = query.get("status") ?? "open"
        if status != "open" && status != "decided" { validation.add("status", "bonus.status_unknown", "应为 open 或 decided") }
        var after: (Int64, String) = (0, "")
        if let text = query.get("after") {
            let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
            if parts.count == 2, let id = Int64(parts[0]), id >= 0, parts[1].count <= 10,
                parts[1].unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) })
            {
                after = (id, parts[1])
            } else {
                validation.add("after", "after.invalid", "应为 考生编号:政策代码")
            }
        }
        try validation.check()
        try await access.audit.record(.staff(member), action: "bonus.list", target: .init(kind: "organisation_node", id: member.nodeID), request: request)
        let claims = try await store.claims(under: member.nodePath, decided: status == "decided", after: after, limit: Self.pageSize, policies: try await store.policies())
        return JSONOutput(Claims(claims: claims, next: claims.count == Self.pageSize ? claims.last.map { "\($0.candidateID):\($0.policyCode)" } : nil))
    }

    @Sendable func bonus(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<CandidateBonus> {
        let member = try context.staff
        let id = try context.positiveID()
        let candidate = try await ReviewedCandidate.find(id, postgres: store.postgres, logger: store.logger)
        try await access.staff.requireScope(member, covers: candidate?.countyPath, action: "bonus.read", target: .candidate(id), request: request)
        try await access.audit.record(.staff(member), action: "bonus.read", target: .candidate(id), request: request)
        return JSONOutput(try await store.bonus(of: id, policies: try await store.policies()))
    }

    struct Decision: Decodable {
        let decision: String
        let reason: String?
    }

    @Sendable func decide(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<CandidateBonus> {
        let member = try context.staff
        let id = try context.positiveID()
        let candidate = try await ReviewedCandidate.find(id, postgres: store.postgres, logger: store.logger)
        try await access.staff.requireScope(
            member, covers: Reviewers.isCity(member) ? candidate?.countyPath : nil, action: "bonus.decide", target: .candidate(id), request: request)
        let policy = context.parameters.get("policy") ?? ""
        let input = try await JSONInput.decode(Decision.self, from: request)
        let policies = try await store.policies()
        var validation = Validation()
        if input.decision != "accept" && input.decision != "reject" { validation.add("decision", "decision.unknown", "应为 accept 或 reject") }
        let reason = input.decision == "reject" ? validation.text(input.reason ?? "", field: "reason", length: 2...300) : nil
        if policies[policy] == nil { validation.add("policy", "policy_code.unknown", "没有这项照顾加分政策") }
        try validation.check()
        guard let year = policies.year else { throw BonusRefusals.noYear }
        if policies[policy]?.automatic != nil { throw BonusRefusals.automatic }
        try await store.decide(id, policy: policy, year: year, accept: input.decision == "accept", reason: reason, by: member, clientAddress: request.clientAddress)
        return JSONOutput(try await store.bonus(of: id, policies: policies))
    }

    /// One row of a list file and what became of it.
    struct RowReport: Codable, Sendable {
        let line: Int
        let candidateNumber: String
        let policyCode: String
        /// `entered` or `refused`.
        let outcome: String
        let code: String?
        let message: String?
    }

    struct ListReport: Codable, Sendable {
        let entered: Int
        let refused: Int
        let rows: [RowReport]
    }

    static let columns = (number: "考生号", policy: "政策代码", evidence: "证明材料")

    @Sendable func enterList(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<ListReport> {
        let member = try context.staff
        guard Reviewers.isCity(member) else {
            try await access.audit.record(.staff(member), action: "bonus.list_enter", target: .init(kind: "organisation_node", id: member.nodeID), outcome: .denied, request: request)
            throw APIError.forbidden
        }
        let body = try await request.body(upTo: Self.maxFileBytes, orElse: APIError(.contentTooLarge, code: "file.too_large", message: "文件不能超过 5 MB"))
        let table: UploadedTable
        do {
            table = try UploadedTable.read(Array(buffer: body))
        } catch {
            throw APIError.invalid(field: "file", code: "file.unreadable", message: error.message)
        }
        let missing = [Self.columns.number, Self.columns.policy, Self.columns.evidence].filter { !table.columns.contains($0) }
        guard missing.isEmpty else {
            throw APIError.invalid(field: "file", code: "file.columns", message: "缺少列：\(missing.joined(separator: "、"))")
        }
        let policies = try await store.policies()
        guard let year = policies.year else { throw BonusRefusals.noYear }
        let numbers = table.rows.compactMap { $0.cells[Self.columns.number] }.filter { $0.count == 14 && $0.unicodeScalars.allSatisfy { ("0"..."9").contains($0) } }
        let candidates = try await store.candidates(numbered: Array(Set(numbers)))
        var reports: [RowReport] = []
        var entries: [(candidateID: Int64, policy: String, evidence: String)] = []
        var entryRows: [Int] = []
        var seen = Set<String>()
        for row in table.rows {
            let number = row.cells[Self.columns.number] ?? ""
            let policyCode = row.cells[Self.columns.policy] ?? ""
            let evidence = row.cells[Self.columns.evidence] ?? ""
            func refuse(_ code: String, _ message: String) {
                reports.append(
                    RowReport(
                        line: row.number, candidateNumber: String(number.prefix(20)), policyCode: String(policyCode.prefix(10)), outcome: "refused", code: code,
                        message: message))
            }
            guard let candidate = candidates[number] else { refuse("candidate.unknown", "没有这个考生号"); continue }
            guard member.covers(path: candidate.countyPath) else { refuse("candidate.elsewhere", "该考生不在本市"); continue }
            guard ["confirmed", "paid", "exempt"].contains(candidate.status) else { refuse("candidate.status", "该考生报名无效或尚未确认"); continue }
            guard !candidate.locked else { refuse(ReportedDataLock.locked.code, ReportedDataLock.locked.message); continue }
            guard let policy = policies[policyCode] else { refuse("policy_code.unknown", "没有这项照顾加分政策"); continue }
            guard policy.automatic == nil else { refuse(BonusRefusals.automatic.code, BonusRefusals.automatic.message); continue }
            guard (2...300).contains(evidence.count) else { refuse("evidence.length", "证明材料应为 2-300 字"); continue }
            guard seen.insert("\(number)|\(policyCode)").inserted else { refuse("row.duplicate", "与前面的行重复"); continue }
            entries.append((candidate.id, policyCode, evidence))
            entryRows.append(reports.count)
            reports.append(RowReport(line: row.number, candidateNumber: number, policyCode: policyCode, outcome: "entered", code: nil, message: nil))
        }
        let written = try await store.enter(entries, year: year, by: member, clientAddress: request.clientAddress)
        for (index, reportIndex) in entryRows.enumerated() where !written.contains(index) {
            let row = reports[reportIndex]
            reports[reportIndex] = RowReport(
                line: row.line, candidateNumber: row.candidateNumber, policyCode: row.policyCode, outcome: "refused", code: "bonus.already_decided",
                message: "该考生这项加分已有审核结果")
        }
        let entered = reports.filter { $0.outcome == "entered" }.count
        return JSONOutput(ListReport(entered: entered, refused: reports.count - entered, rows: reports))
    }
}
