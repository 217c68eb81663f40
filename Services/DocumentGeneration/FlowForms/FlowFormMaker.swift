import Access
import Contracts
import Foundation
import Logging
import Messaging
import NIOPosix
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

    /// Draws and stores the request's form unless it is stored already; the file.
    @discardableResult
    func make(request: UUID, candidateID: Int64, on connection: PostgresConnection, logger: Logger) async throws -> String? {
        if let file = try await connection.query(
            "SELECT file FROM stored_document WHERE kind = 'registration_flow_form' AND subject = \(request.uuidString.lowercased())", logger: logger
        ).decode(String.self).first(where: { _ in true }) { return file }
        guard let candidate = try await CandidateParticulars.read(candidateID, cipher: cipher, on: connection, logger: logger) else { return nil }
        let pledge = try await connection.query(
            "SELECT coalesce(document -> 'pledge' ->> 'text', '') FROM exam_year WHERE year = \(candidate.year)", logger: logger
        ).decode(String.self).first { _ in true } ?? ""
        let now = PrintedTime.minute(Date())
        let done = ["submitted": 1, "confirmed": 2, "paid": 3, "exempt": 3][candidate.status] ?? 0
        let steps = [
            "网上填报报名信息并提交", "到确认点现场确认（核验证件、采集照片、签字）", candidate.status == "exempt" ? "免试资格已审核（无需缴费）" : "网上缴纳报名考试费", "考前下载打印准考证",
        ]
        var content = DocumentContent()
        content.values = candidate.values.merging([
            "year": String(candidate.year), "pledge": pledge, "request": String(request.uuidString.prefix(8)).lowercased(), "madeAt": now,
            "candidateNumber": candidate.values["candidateNumber", default: ""].isEmpty ? "（现场确认后生成）" : candidate.values["candidateNumber", default: ""],
        ]) { $1 }
        content.lists["choices"] = candidate.choices
        content.lists["steps"] = steps.enumerated().map { index, step in
            ["step": "\(index + 1). \(step)", "state": index < done ? "已完成" : index == done ? "下一步" : "待办"]
        }
        content.photos["photo"] = candidate.photo
        let layout = try await LayoutBook.of(year: candidate.year, on: connection, logger: logger)[.registrationFlowForm]
        let files = self.files
        let subject = request.uuidString.lowercased()
        let prepared = content
        let stored = try await NIOThreadPool.singleton.runIfActive {
            let document = try DocumentRenderer.render([.init(layout: layout, content: try prepared.printSized())], title: "报名流程表")
            return try files.write(document, kind: .registrationFlowForm, subject: subject, version: 1, candidateID: candidateID)
        }
        try await DocumentFiles.index([stored], on: connection, logger: logger)
        return stored.file
    }
}
