import Access
import Contracts
import Foundation
import Hummingbird
import Logging
import Messaging
import PostgresNIO
import ServiceRuntime

/// Paper draft forms (信息采集草表), for overload and outages (seed 五): a point's operator
/// uploads a batch file; the registration worker imports it (see `PaperFormImporter`).
/// - `POST /staff/paper-forms?fileName=...`: the CSV (UTF-8) or XLSX file as the body; 202;
/// - `GET /staff/paper-forms/{id}`: progress and counts;
/// - `GET /staff/paper-forms/{id}/report`: one CSV line per row (and per problem of a bad row).
struct PaperFormRoutes: Sendable {
    let access: AccessControl
    let desk: OperatorDesk
    let postgres: PostgresClient
    let logger: Logger

    static let maxBytes = 20 << 20

    func add(to routes: ServiceRoutes) {
        routes.staff.post("staff/paper-forms", use: upload)
        routes.staff.get("staff/paper-forms/{id}", use: progress)
        routes.staff.get("staff/paper-forms/{id}/report", use: report)
    }

    struct Progress: Codable, Sendable {
        let batchID: UUID
        let fileName: String
        let status: String
        let totalRows: Int?
        let processedRows: Int
        let created: Int
        let updated: Int
        let unchanged: Int
        let errors: Int
        let failure: String?
    }

    @Sendable func upload(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<Progress> {
        let member = try await desk.operatorOnDuty(request, context, action: "paper_form.upload", target: .init(kind: "paper_form_batch", id: "-"))
        let rawName = request.uri.queryParameters.get("fileName") ?? "草表"
        let fileName = String(rawName.unicodeScalars.filter { $0.properties.generalCategory != .control }.prefix(100).map(Character.init))
        let body = try await request.body(
            upTo: Self.maxBytes, orElse: APIError(.contentTooLarge, code: "paper_form.too_large", message: "文件不能超过 20 MB，请分批上传"))
        let bytes = Array(buffer: body)
        let format: String
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            format = "xlsx"
        } else if !bytes.isEmpty, String(validating: bytes, as: UTF8.self) != nil {
            format = "csv"
        } else {
            throw APIError.invalid(field: "file", code: "paper_form.format", message: "只接受 UTF-8 编码的 CSV 文件或 XLSX 文件")
        }
        let sealed = try access.cipher.seal(bytes: bytes, column: PaperFormBatchUploaded.sealedFileColumn)
        let event = PaperFormBatchUploaded(batchID: UUID(), confirmationPointID: member.nodeID)
        try await postgres.withTransaction(logger: logger) { connection in
            try await connection.query(
                """
                INSERT INTO paper_form_batch (id, point_id, uploaded_by, uploaded_from, file_name, file_format, file_sealed, key_id)
                VALUES (\(event.batchID), \(member.nodeID), \(member.id), \(request.clientAddress), \(fileName), \(format),
                        \(ByteBuffer(bytes: sealed.bytes)), \(sealed.keyID))
                """, logger: logger)
            try await Outbox.append(
                [try OutboxEvent(Envelope(event: event), aggregateID: "paper-forms-\(member.nodeID)", routingKey: PaperFormBatchUploaded.routingKey)],
                in: connection, logger: logger)
            try await AuditLog.record(
                .staff(member), action: "paper_form.upload", target: .init(kind: "paper_form_batch", id: event.batchID.uuidString),
                clientAddress: request.clientAddress, on: connection, logger: logger)
        }
        return JSONOutput(try await state(of: event.batchID)!.progress, status: .accepted)
    }

    @Sendable func progress(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<Progress> {
        let (_, found) = try await scopedBatch(request, context, action: "paper_form.read")
        return JSONOutput(found.progress)
    }

    @Sendable func report(_ request: Request, _ context: ExamRequestContext) async throws -> Response {
        let (id, found) = try await scopedBatch(request, context, action: "paper_form.report")
        guard ["done", "failed"].contains(found.progress.status) else {
            throw APIError(.conflict, code: "paper_form.not_finished", message: "该批草表尚未导入完毕，请稍后再下载报告")
        }
        var lines = ["行号,草表编号,结果,字段,代码,原因"]
        let names = ["created": "新建", "updated": "更新", "unchanged": "未变化", "error": "错误"]
        let rows = try await postgres.query(
            "SELECT row_number, row_id, outcome, problems::text FROM paper_form_row WHERE batch_id = \(id) ORDER BY row_number", logger: logger)
        for try await (number, rowID, outcome, problems) in rows.decode((Int, String?, String, String?).self) {
            let listed = try problems.map { try JSONDecoder().decode([FieldError].self, from: Data($0.utf8)) } ?? []
            let prefix = "\(number),\(Self.csvField(rowID ?? "")),\(names[outcome] ?? outcome)"
            if listed.isEmpty {
                lines.append(prefix + ",,,")
            } else {
                for problem in listed {
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
        let found = try await state(of: id)
        try await access.staff.requireScope(member, covers: found?.path, action: action, target: .init(kind: "paper_form_batch", id: raw), request: request)
        return (id, found!)
    }

    private func state(of id: UUID) async throws -> (progress: Progress, path: String)? {
        let rows = try await postgres.query(
            """
            SELECT b.file_name, b.status, b.total_rows, b.failure, n.path::text,
                   count(r.row_number)::int,
                   count(*) FILTER (WHERE r.outcome = 'created')::int, count(*) FILTER (WHERE r.outcome = 'updated')::int,
                   count(*) FILTER (WHERE r.outcome = 'unchanged')::int, count(*) FILTER (WHERE r.outcome = 'error')::int
            FROM paper_form_batch b JOIN organisation_node n ON n.id = b.point_id
            LEFT JOIN paper_form_row r ON r.batch_id = b.id
            WHERE b.id = \(id)
            GROUP BY b.id, n.path
            """, logger: logger)
        for try await (name, status, total, failure, path, processed, created, updated, unchanged, errors) in rows.decode(
            (String, String, Int?, String?, String, Int, Int, Int, Int, Int).self)
        {
            return (Progress(
                batchID: id, fileName: name, status: status, totalRows: total, processedRows: processed, created: created, updated: updated,
                unchanged: unchanged, errors: errors, failure: failure), path)
        }
        return nil
    }
}
