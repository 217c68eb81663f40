import Access
import Logging
import NIOCore
import Photos
import PostgresNIO

/// `candidate_photo` and `permit_scan`: images sealed at rest, each write with its audit row.
struct CandidatePhotoStore: Sendable {
    let postgres: PostgresClient
    let cipher: PersonalDataCipher
    let logger: Logger

    /// Stores (or replaces) the candidate's photo and its print-size copy, unless they were
    /// confirmed meanwhile: the status is read again under the row's lock, so a confirmation in
    /// between wins.
    func savePhoto(_ image: StoredImage, printed: [UInt8], of candidateID: Int64, by member: StaffMember, clientAddress: String) async throws {
        let sealed = try cipher.seal(bytes: image.jpeg, column: "candidate_photo.jpeg")
        let sealedPrint = try cipher.seal(bytes: printed, column: "candidate_photo.print_jpeg")
        try await postgres.withTransaction(logger: logger) { connection in
            let status = try await connection.query("SELECT status FROM candidate_account WHERE id = \(candidateID) FOR UPDATE", logger: logger)
                .decode(String.self).first { _ in true }
            guard status == "submitted" || status == "pending_city_review" else { throw CandidatePhotos.locked(status ?? "") }
            try await connection.query(
                """
                INSERT INTO candidate_photo (candidate_id, jpeg_sealed, print_jpeg_sealed, key_id, width, height, uploaded_format, captured_by)
                VALUES (\(candidateID), \(ByteBuffer(bytes: sealed.bytes)), \(ByteBuffer(bytes: sealedPrint.bytes)), \(sealed.keyID), \(image.width), \(image.height),
                        \(image.uploadedFormat.rawValue), \(member.id))
                ON CONFLICT (candidate_id) DO UPDATE SET jpeg_sealed = excluded.jpeg_sealed, print_jpeg_sealed = excluded.print_jpeg_sealed,
                    key_id = excluded.key_id, width = excluded.width,
                    height = excluded.height, uploaded_format = excluded.uploaded_format, captured_by = excluded.captured_by, captured_at = now()
                """, logger: logger)
            try await AuditLog.record(.staff(member), action: "photo.capture", target: .candidate(candidateID), clientAddress: clientAddress, on: connection, logger: logger)
        }
    }

    /// The candidate's scope path and, when captured, their photo's JPEG; nil for no such candidate.
    func photo(of candidateID: Int64) async throws -> (scopePath: String, jpeg: [UInt8]?)? {
        let rows = try await postgres.query(
            """
            SELECT s.path::text, f.jpeg_sealed, f.key_id
            FROM candidate_scope s LEFT JOIN candidate_photo f ON f.candidate_id = s.candidate_id
            WHERE s.candidate_id = \(candidateID)
            """, logger: logger)
        for try await (path, sealedBytes, keyID) in rows.decode((String, ByteBuffer?, String?).self) {
            guard let sealedBytes, let keyID else { return (path, nil) }
            return (path, try cipher.openBytes(.init(keyID: keyID, bytes: Array(buffer: sealedBytes)), column: "candidate_photo.jpeg"))
        }
        return nil
    }

    /// Adds a permit holder's document scan; its id.
    func addScan(_ image: StoredImage, of candidateID: Int64, by member: StaffMember, clientAddress: String) async throws -> Int64 {
        let sealed = try cipher.seal(bytes: image.jpeg, column: "permit_scan.jpeg")
        return try await postgres.withTransaction(logger: logger) { connection in
            let id = try await connection.query(
                """
                INSERT INTO permit_scan (candidate_id, jpeg_sealed, key_id, uploaded_by)
                VALUES (\(candidateID), \(ByteBuffer(bytes: sealed.bytes)), \(sealed.keyID), \(member.id)) RETURNING id
                """, logger: logger
            ).decode(Int64.self).first { _ in true }
            try await AuditLog.record(.staff(member), action: "document_scan.add", target: .candidate(candidateID), clientAddress: clientAddress, on: connection, logger: logger)
            return id ?? 0
        }
    }
}
