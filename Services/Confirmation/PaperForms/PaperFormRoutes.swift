import Access
import Foundation
import Hummingbird
import ServiceRuntime

/// Paper draft forms (信息采集草表), for overload and outages (seed 五): a point's operator
/// uploads a batch file; the registration worker imports it (see `PaperFormImporter`).
/// - `POST /staff/paper-forms?fileName=...`: the CSV (UTF-8) or XLSX file as the body; 202;
/// - `GET /staff/paper-forms/{id}`: progress and counts;
/// - `GET /staff/paper-forms/{id}/report`: one CSV line per row (and per problem of a bad row).
struct PaperFormRoutes: Sendable {
    let access: AccessControl
    let desk: OperatorDesk
    let store: PaperFormBatchStore

    static let maxBytes = 20 << 20

    func add(to routes: ServiceRoutes) {
        routes.staff.post("staff/paper-forms", use: upload)
        routes.staff.get("staff/paper-forms/{id}", use: progress)
        routes.staff.get("staff/paper-forms/{id}/report", use: report)
    }

    typealias Progress = PaperFormBatchStore.Progress

    @Sendable func upload(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<Progress> {
        let member = try await desk.operatorOnDuty(request, context, action: "paper_form.upload", target: .init(kind: "paper_form_batch", id: "-"))
        let rawName = request.uri.queryParameters.get("fileName") ?? "草表"
        let fileName = String(rawName.unicodeScalars.filter { $0.properties.generalCategory != .control }.prefix(100).map(Character.init))
        let body = try await request.body(
            upTo: Self.maxBytes, orElse: APIError(.contentTooLarge, code: "paper_form.too_large", message: "文件不能超过 20 MB，请分批上传"))
        let bytes = Array(buffer: body)
        guard !bytes.isEmpty, let table = TableFile.sniff(bytes) else {
            throw APIError.invalid(field: "file", code: "paper_form.format", message: "只接受 UTF-8 编码的 CSV 文件或 XLSX 文件")
        }
        let batchID = try await store.upload(bytes, as: table, named: fileName, by: member, clientAddress: request.clientAddress)
        return JSONOutput(try await store.state(of: batchID)!.progress, status: .accepted)
    }

    @Sendable func progress(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<Progress> {
        let (_, found) = try await scopedBatch(request, context, action: "paper_form.read")
        return JSONOutput(found.progress)
    }

    @Sendable func report(_ request: Request, _ context: ExamRequestContext) async throws -> Response {
        let (id, found) = try await scopedBatch(request, context, action: "paper_form.report")
        guard ["done", "failed"].contains(found.progress.status) else {
            throw Refusal.conflict("paper_form.not_finished", "该批草表尚未导入完毕，请稍后再下载报告")
        }
        var lines = ["行号,草表编号,结果,字段,代码,原因"]
        let names = ["created": "新建", "updated": "更新", "unchanged": "未变化", "error": "错误"]
        for row in try await store.report(of: id) {
            let prefix = "\(row.number),\(Self.csvField(row.rowID ?? "")),\(names[row.outcome] ?? row.outcome)"
            if row.problems.isEmpty {
                lines.append(prefix + ",,,")
            } else {
                for problem in row.problems {
                    lines.append(prefix + ",\(Self.csvField(problem.field)),\(Self.csvField(problem.code)),\(Self.csvField(problem.message))")
                }
            }
        }
        if let failure = found.progress.failure { lines.append("0,,错误,file,paper_form.file,\(Self.csvField(failure))") }
        // With a byte-order mark, so that spreadsheet programs read the UTF-8 correctly.
        let text = "\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n"
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/csv; charset=utf-8", .cacheControl: "no-store",
                .contentDisposition: "attachment; filename=\"paper-forms-\(id.uuidString.prefix(8)).csv\"",
            ],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A field quoted when it must be; a leading =, +, - or @ is defused (no formulas).
    static func csvField(_ value: String) -> String {
        var text = value
        if let first = text.first, "=+-@".contains(first) { text = "'" + text }
        guard text.contains(where: { ",\"\r\n".contains($0) }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private func scopedBatch(_ request: Request, _ context: ExamRequestContext, action: String) async throws -> (UUID, (progress: Progress, path: String)) {
        let member = try context.staff
        guard let raw = context.parameters.get("id"), let id = UUID(uuidString: raw) else {
            throw APIError.invalid(field: "id", code: "id.format", message: "编号格式不正确")
        }
        let found = try await store.state(of: id)
        try await access.staff.requireScope(member, covers: found?.path, action: action, target: .init(kind: "paper_form_batch", id: raw), request: request)
        return (id, found!)
    }
}
