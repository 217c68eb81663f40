import Access
import Contracts
import Foundation
import Logging
import PostgresNIO

/// The `paper_form_batch` table as the importer reads it. The file is sealed at rest.
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
            SELECT point_id, uploaded_by, uploaded_from, file_sealed, key_id FROM paper_form_batch
            WHERE id = \(id) AND status IN ('queued', 'importing')
            """, logger: logger)
        for try await (point, uploadedBy, uploadedFrom, sealed, keyID) in rows.decode((String, Int64, String, ByteBuffer, String).self) {
            let file = try cipher.openBytes(.init(keyID: keyID, bytes: Array(buffer: sealed)), column: PaperFormBatchUploaded.sealedFileColumn)
            return Batch(id: id, pointID: point, uploadedBy: uploadedBy, uploadedFrom: uploadedFrom, file: file)
        }
        return nil
    }
}
