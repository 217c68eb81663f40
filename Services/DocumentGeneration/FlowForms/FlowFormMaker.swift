import Access
import Contracts
import Foundation
import Logging
import Messaging
import NIOPosix
import Photos
import PostgresNIO

/// The registration flow form (报名流程表) a point prints for a candidate: their data, photo,
/// choices and point, the steps done and still to do, the pledge and the signature lines. Made
/// from `documents.requests` (Confirmation's `DocumentRequested`), or on demand when staff open
/// a request the worker has not reached; stored once per request.
struct FlowFormMaker: MessageHandler {
    let consumerName = "documents.flow-forms"
    let cipher: PersonalDataCipher
    let files: DocumentFiles

    func handle(_ message: IncomingMessage, in transaction: PostgresConnection, logger: Logger) async throws {
        guard message.type == DocumentRequested.eventType else { return }
        let event = try Envelope<DocumentRequested>.decode(message.body).event
        guard event.kind == .registrationFlowForm else { return }
        try await make(request: event.requestID, candidateID: event.candidateID, on: transaction, logger: logger)
    }

    static let levels = ["high_school_to_bachelor": "高中起点升本科", "high_school_to_associate": "高中起点升专科", "associate_to_bachelor": "专科起点升本科"]
    static let studyForms = ["part_time": "业余", "correspondence": "函授", "full_time": "脱产"]
    static let documentTypes = [
        "resident_id": "居民身份证", "hmt_permit": "港澳台居民居住证", "overseas_chinese_passport": "华侨护照", "foreigner_residence_permit": "外国人永久居留身份证",
    ]

    /// Draws and stores the request's form unless it is stored already; the file.
    @discardableResult
    func make(request: UUID, candidateID: Int64, on connection: PostgresConnection, logger: Logger) async throws -> String? {
        if let file = try await connection.query(
            "SELECT file FROM stored_document WHERE kind = 'registration_flow_form' AND subject = \(request.uuidString.lowercased())", logger: logger
        ).decode(String.self).first(where: { _ in true }) { return file }
        guard let row = try await connection.query(
            """
            SELECT a.name, a.document_type, a.document_number_masked, a.phone_masked, a.status, r.year, r.basic_sealed, r.personal_data_key_id,
                   coalesce(k.candidate_number, ''), coalesce(n.name, ''), coalesce(p.address, ''), f.jpeg_sealed, f.key_id,
                   coalesce(y.document -> 'pledge' ->> 'text', ''), coalesce(y.document -> 'codeLists' -> 'educationLevels', '[]')::text,
                   to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI')
            FROM candidate_account a JOIN registration r ON r.candidate_id = a.id JOIN exam_year y ON y.year = r.year
            LEFT JOIN candidate_confirmation k ON k.candidate_id = a.id
            LEFT JOIN organisation_node n ON n.id = r.confirmation_point_id
            LEFT JOIN confirmation_point p ON p.node_id = r.confirmation_point_id
            LEFT JOIN candidate_photo f ON f.candidate_id = a.id
            WHERE a.id = \(candidateID)
            """, logger: logger
        ).decode((String, String, String, String, String, Int, ByteBuffer?, String?, String, String, String, ByteBuffer?, String?, String, String, String).self)
            .first(where: { _ in true })
        else { return nil }
        let (name, documentType, documentNumber, phone, status, year, sealedBasic, basicKey, candidateNumber, pointName, pointAddress, sealedPhoto, photoKey, pledge, levelsJSON, now) = row
        var basic: [String: String] = [:]
        if let sealedBasic, let basicKey,
            let text = try? cipher.open(.init(keyID: basicKey, bytes: Array(buffer: sealedBasic)), column: SealedColumn.registrationBasic),
            let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        {
            basic = object.compactMapValues { $0 as? String }
        }
        let educationNames = ((try? JSONSerialization.jsonObject(with: Data(levelsJSON.utf8))) as? [[String: Any]] ?? [])
            .reduce(into: [String: String]()) { $0[$1["code"] as? String ?? ""] = $1["name"] as? String }
        let ethnic = try await codeName(of: basic["ethnicGroup"], in: "ethnic_group", on: connection, logger: logger)
        let political = try await codeName(of: basic["politicalStatus"], in: "political_status", on: connection, logger: logger)
        var choices: [[String: String]] = []
        for try await (order, level, category, form, institution, major) in try await connection.query(
            """
            SELECT c.n::int, coalesce(c.v ->> 'level', ''), coalesce(c.v ->> 'subjectCategory', ''), coalesce(c.v ->> 'studyForm', ''),
                   coalesce(m.institution_name, c.v ->> 'institutionCode', ''), coalesce(m.major_name, c.v ->> 'majorCode', '')
            FROM registration r CROSS JOIN LATERAL jsonb_array_elements(r.choices) WITH ORDINALITY AS c(v, n)
            LEFT JOIN catalogue_major m ON m.year = r.year AND m.institution_code = c.v ->> 'institutionCode' AND m.major_code = c.v ->> 'majorCode'
                 AND m.level = c.v ->> 'level'
            WHERE r.candidate_id = \(candidateID) ORDER BY c.n
            """, logger: logger
        ).decode((Int, String, String, String, String, String).self) {
            choices.append([
                "order": "志愿\(order)", "level": Self.levels[level] ?? level, "category": category, "form": Self.studyForms[form] ?? form,
                "institution": institution, "major": major,
            ])
        }
        let done = ["submitted": 1, "confirmed": 2, "paid": 3, "exempt": 3][status] ?? 0
        let steps = ["网上填报报名信息并提交", "到确认点现场确认（核验证件、采集照片、签字）", status == "exempt" ? "免试资格已审核（无需缴费）" : "网上缴纳报名考试费", "考前下载打印准考证"]
        var content = DocumentContent()
        content.values = [
            "year": String(year), "name": name, "gender": ["male": "男", "female": "女"][basic["gender"] ?? ""] ?? "", "birthDate": basic["birthDate"] ?? "",
            "ethnicGroup": ethnic, "politicalStatus": political, "documentType": Self.documentTypes[documentType] ?? documentType,
            "documentNumber": documentNumber, "candidateNumber": candidateNumber.isEmpty ? "（现场确认后生成）" : candidateNumber,
            "educationLevel": educationNames[basic["educationLevel"] ?? ""] ?? (basic["educationLevel"] ?? ""), "graduatedFrom": basic["graduatedFrom"] ?? "",
            "phone": phone, "postalAddress": basic["postalAddress"] ?? "", "point": pointName, "pointAddress": pointAddress, "pledge": pledge,
            "request": String(request.uuidString.prefix(8)).lowercased(), "madeAt": now,
        ]
        content.lists["choices"] = choices
        content.lists["steps"] = steps.enumerated().map { index, step in
            ["step": "\(index + 1). \(step)", "state": index < done ? "已完成" : index == done ? "下一步" : "待办"]
        }
        if let sealedPhoto, let photoKey {
            content.photos["photo"] = .init(
                jpeg: try cipher.openBytes(.init(keyID: photoKey, bytes: Array(buffer: sealedPhoto)), column: "candidate_photo.jpeg"), id: UInt64(candidateID))
        }
        let layout = try await LayoutBook.of(year: year, on: connection, logger: logger)[.registrationFlowForm]
        let files = self.files
        let subject = request.uuidString.lowercased()
        let prepared = content
        let stored = try await NIOThreadPool.singleton.runIfActive {
            var content = prepared
            if let photo = content.photos["photo"], photo.jpeg.count > 40_000 {
                content.photos["photo"] = .init(jpeg: try ImageNormaliser.resized(photo.jpeg, rules: .printedPhoto), id: photo.id)
            }
            let document = try DocumentRenderer.render([.init(layout: layout, content: content)], title: "报名流程表")
            return try files.write(document, kind: .registrationFlowForm, subject: subject, version: 1, candidateID: candidateID)
        }
        try await DocumentFiles.index([stored], on: connection, logger: logger)
        return stored.file
    }

    private func codeName(of code: String?, in table: String, on connection: PostgresConnection, logger: Logger) async throws -> String {
        guard let code, !code.isEmpty else { return "" }
        let query: PostgresQuery = table == "ethnic_group"
            ? "SELECT name FROM ethnic_group WHERE code = \(code)" : "SELECT name FROM political_status WHERE code = \(code)"
        return try await connection.query(query, logger: logger).decode(String.self).first { _ in true } ?? code
    }
}
