import Access
import Contracts
import Foundation
import Logging
import Messaging
import NIOCore
import PostgresNIO
import ServiceRuntime

/// Uploaded batches of paper draft forms (`paper_form_batch`, the file sealed at rest), and how
/// their import goes (`paper_form_import`, `paper_form_row`: the registration worker's, read here).
struct PaperFormBatchStore: Sendable {
    let postgres: PostgresClient
    let cipher: PersonalDataCipher
    let logger: Logger

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

    /// One row of the import's report.
    struct ReportRow: Sendable {
        let number: Int
        let rowID: String?
        let outcome: String
        let problems: [FieldError]
    }

    /// Stores the batch and emits `PaperFormBatchUploaded`, with the audit row, in one transaction.
    func upload(_ bytes: [UInt8], as table: TableFile, named fileName: String, by member: StaffMember, clientAddress: String) async throws -> UUID {
        let sealed = try cipher.seal(bytes: bytes, column: PaperFormBatchUploaded.sealedFileColumn)
        let event = PaperFormBatchUploaded(batchID: UUID(), confirmationPointID: member.nodeID)
        try await postgres.withTransaction(logger: logger) { connection in
            try await connection.query(
                """
                INSERT INTO paper_form_batch (id, point_id, uploaded_by, uploaded_from, file_name, file_format, file_sealed, key_id)
                VALUES (\(event.batchID), \(member.nodeID), \(member.id), \(clientAddress), \(fileName), \(table.format),
                        \(ByteBuffer(bytes: sealed.bytes)), \(sealed.keyID))
                """, logger: logger)
            try await Outbox.append(
                [try OutboxEvent(Envelope(event: event), aggregateID: "paper-forms-\(member.nodeID)", routingKey: PaperFormBatchUploaded.routingKey)],
                in: connection, logger: logger)
            try await AuditLog.record(
                .staff(member), action: "paper_form.upload", target: .init(kind: "paper_form_batch", id: event.batchID.uuidString),
                clientAddress: clientAddress, on: connection, logger: logger)
        }
        return event.batchID
    }

    /// The batch's progress and its point's path (for scope); nil for no such batch.
    func state(of id: UUID) async throws -> (progress: Progress, path: String)? {
        let rows = try await postgres.query(
            """
            SELECT b.file_name, coalesce(i.status, 'queued'), i.total_rows, i.failure, n.path::text,
                   count(r.row_number)::int,
                   count(*) FILTER (WHERE r.outcome = 'created')::int, count(*) FILTER (WHERE r.outcome = 'updated')::int,
                   count(*) FILTER (WHERE r.outcome = 'unchanged')::int, count(*) FILTER (WHERE r.outcome = 'error')::int
            FROM paper_form_batch b JOIN organisation_node n ON n.id = b.point_id
            LEFT JOIN paper_form_import i ON i.batch_id = b.id
            LEFT JOIN paper_form_row r ON r.batch_id = b.id
            WHERE b.id = \(id)
            GROUP BY b.id, n.path, i.batch_id
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

    func report(of id: UUID) async throws -> [ReportRow] {
        var report: [ReportRow] = []
        let rows = try await postgres.query(
            "SELECT row_number, row_id, outcome, problems::text FROM paper_form_row WHERE batch_id = \(id) ORDER BY row_number", logger: logger)
        for try await (number, rowID, outcome, problems) in rows.decode((Int, String?, String, String?).self) {
            let listed = try problems.map { try JSONDecoder().decode([FieldError].self, from: Data($0.utf8)) } ?? []
            report.append(ReportRow(number: number, rowID: rowID, outcome: outcome, problems: listed))
        }
        return report
    }
}
