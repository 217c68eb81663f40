import Access
import Foundation
import Hummingbird
import ServiceRuntime

/// The province's numbering run (seed 四.10): `POST /staff/numbering-runs` asks for one (with a
/// seed drawn in public, or one made here), the Arrangement worker does it; `GET` shows runs with
/// their progress, problems, rules and digest; `.../tickets` downloads the output the digest
/// covers, for anyone to check against the rule (README, "The numbering rule").
struct NumberingRunRoutes: Sendable {
    let access: AccessControl
    let store: NumberingRunStore

    func add(to routes: ServiceRoutes) {
        routes.staff.post("staff/numbering-runs", use: request)
        routes.staff.get("staff/numbering-runs", use: list)
        routes.staff.get("staff/numbering-runs/{id}", use: show)
        routes.staff.get("staff/numbering-runs/{id}/tickets", use: tickets)
    }

    struct Request: Decodable {
        /// 8-64 characters without spaces or control characters (its UTF-8 bytes are the HMAC
        /// key); made here (128 random bits in hex) when absent.
        let seed: String?
    }

    @Sendable func request(_ request: Hummingbird.Request, _ context: ExamRequestContext) async throws -> JSONOutput<NumberingRunRecord> {
        let member = try context.staff
        try await access.staff.requireProvince(member, action: "numbering.request", target: .init(kind: "numbering_run", id: "-"), request: request)
        let input = try await JSONInput.decode(Request.self, from: request)
        let seed = input.seed ?? (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        guard (8...64).contains(seed.count), !seed.unicodeScalars.contains(where: { CharacterSet.controlCharacters.union(.whitespacesAndNewlines).contains($0) }) else {
            throw APIError.invalid(field: "seed", code: "seed.format", message: "种子应为 8-64 个字符，不含空格和控制字符")
        }
        switch try await store.request(seed: seed, by: member, clientAddress: request.clientAddress) {
        case .failure(.noCurrentYear): throw APIError(.conflict, code: "year.none", message: "没有当前考试年度")
        case .failure(.published): throw APIError(.conflict, code: "numbering.published", message: "本年度编排已发布，不能重新编排")
        case .failure(.running): throw APIError(.conflict, code: "numbering.running", message: "已有编排正在进行，请等待其完成")
        case .success(let id):
            guard let run = try await store.run(id) else { throw APIError.notFound }
            return JSONOutput(run, status: .accepted)
        }
    }

    @Sendable func list(_ request: Hummingbird.Request, _ context: ExamRequestContext) async throws -> JSONOutput<[NumberingRunRecord]> {
        _ = try context.staff
        return JSONOutput(try await store.runs())
    }

    @Sendable func show(_ request: Hummingbird.Request, _ context: ExamRequestContext) async throws -> JSONOutput<NumberingRunRecord> {
        _ = try context.staff
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)), let run = try await store.run(id) else { throw APIError.notFound }
        return JSONOutput(run)
    }

    /// Province-level staff only: every candidate's number, as the run gave it.
    @Sendable func tickets(_ request: Hummingbird.Request, _ context: ExamRequestContext) async throws -> Response {
        let member = try context.staff
        guard member.nodeKind == .province else {
            try await access.audit.record(.staff(member), action: "numbering.tickets", target: .init(kind: "numbering_run", id: "-"), outcome: .denied, request: request)
            throw APIError.forbidden
        }
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)), let run = try await store.run(id) else { throw APIError.notFound }
        guard run.status == "done" else { throw APIError(.conflict, code: "numbering.not_done", message: "该次编排没有结果") }
        try await access.audit.record(.staff(member), action: "numbering.tickets", target: .init(kind: "numbering_run", id: id.uuidString), request: request)
        let file = TableDownload(columns: ["ticket", "candidateNumber"], rows: try await store.tickets(of: id)).csv()
        return Response(
            status: .ok,
            headers: [.contentType: "text/csv; charset=utf-8", .cacheControl: "no-store", .contentDisposition: "attachment; filename=\"tickets-\(run.year).csv\""],
            body: .init(byteBuffer: ByteBuffer(bytes: file)))
    }
}
