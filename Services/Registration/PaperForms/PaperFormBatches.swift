import Access
import Contracts
import Foundation
import Logging
import PostgresNIO

/// Uploaded batches as the importer reads them (`paper_form_batch`, Confirmation's; the file is
/// sealed at rest) and how far their import went (`paper_form_import`, the importer's own).
struct PaperFormBatches: Sendable {
    let postgres: PostgresClient
    let cipher: PersonalDataCipher
    let logger: Logger

    struct Batch: Sendable {
        let id: UUID
        let pointID: String
        let uploadedBy: Int64
        let uploadedFrom: String
        let file: [UInt8]
    }

    /// A batch still to import (queued, or interrupted while importing); nil once finished.
    func openForImport(_ id: UUID) async throws -> Batch? {
        let rows = try await postgres.query(
            """
            SELECT b.point_id, b.uploaded_by, b.uploaded_from, b.file_sealed, b.key_id
            FROM paper_form_batch b LEFT JOIN paper_form_import i ON i.batch_id = b.id
            WHERE b.id = \(id) AND coalesce(i.status, 'importing') = 'importing'
            """, logger: logger)
        for try await (point, uploadedBy, uploadedFrom, sealed, keyID) in rows.decode((String, Int64, String, ByteBuffer, String).self) {
            let file = try cipher.openBytes(.init(keyID: keyID, bytes: Array(buffer: sealed)), column: PaperFormBatchUploaded.sealedFileColumn)
            return Batch(id: id, pointID: point, uploadedBy: uploadedBy, uploadedFrom: uploadedFrom, file: file)
        }
        return nil
    }
}
