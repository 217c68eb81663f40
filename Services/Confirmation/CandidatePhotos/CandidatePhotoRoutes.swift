import Access
import Foundation
import Hummingbird
import Logging
import NIOCore
import Photos
import PostgresNIO
import ServiceRuntime

/// The candidate's photo (相片), captured at the point from the ID-card reader or a camera:
/// - `PUT /staff/candidates/{id}/photo`: the image as the body (JPEG, PNG or BMP, judged by its
///   bytes), decoded, checked and stored as one JPEG; refused once the candidate is confirmed;
/// - `GET /staff/candidates/{id}/photo`: the stored JPEG, for staff covering the candidate;
/// - `POST /staff/candidates/{id}/document-scans`: a permit holder's document scan for the city.
struct CandidatePhotoRoutes: Sendable {
    let access: AccessControl
    let desk: OperatorDesk
    let postgres: PostgresClient
    let logger: Logger
    let images = ImageNormaliser()

    func add(to routes: ServiceRoutes) {
        routes.staff.put("staff/candidates/{id}/photo", use: capture)
        routes.staff.get("staff/candidates/{id}/photo", use: show)
        routes.staff.post("staff/candidates/{id}/document-scans", use: addScan)
    }

    struct Captured: Codable, Sendable {
        let candidateID: Int64
        let width: Int
        let height: Int
        let uploadedFormat: String
        let storedBytes: Int
    }

    @Sendable func capture(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<Captured> {
        let candidateID = try context.positiveID()
        let (member, candidate) = try await desk.candidate(request, context, candidateID, action: "photo.capture")
        guard ["submitted", "pending_city_review"].contains(candidate.status) else { throw Self.locked(candidate.status) }
        let image = try await stored(request, rules: .candidatePhoto)
        let sealed = try access.cipher.seal(bytes: image.jpeg, column: "candidate_photo.jpeg")
        try await postgres.withTransaction(logger: logger) { connection in
            // The status is read again under the lock: a confirmation in between wins.
            let status = try await connection.query("SELECT status FROM candidate_account WHERE id = \(candidateID) FOR UPDATE", logger: logger)
                .decode(String.self).first { _ in true }
            guard status == "submitted" || status == "pending_city_review" else { throw Self.locked(status ?? "") }
            try await connection.query(
                """
                INSERT INTO candidate_photo (candidate_id, jpeg_sealed, key_id, width, height, uploaded_format, captured_by)
                VALUES (\(candidateID), \(ByteBuffer(bytes: sealed.bytes)), \(sealed.keyID), \(image.width), \(image.height), \(image.uploadedFormat.rawValue), \(member.id))
                ON CONFLICT (candidate_id) DO UPDATE SET jpeg_sealed = excluded.jpeg_sealed, key_id = excluded.key_id, width = excluded.width,
                    height = excluded.height, uploaded_format = excluded.uploaded_format, captured_by = excluded.captured_by, captured_at = now()
                """, logger: logger)
            try await AuditLog.record(.staff(member), action: "photo.capture", target: .candidate(candidateID), clientAddress: request.clientAddress, on: connection, logger: logger)
        }
        return JSONOutput(Captured(candidateID: candidateID, width: image.width, height: image.height, uploadedFormat: image.uploadedFormat.rawValue, storedBytes: image.jpeg.count))
    }

    @Sendable func show(_ request: Request, _ context: ExamRequestContext) async throws -> Response {
        let member = try context.staff
        let candidateID = try context.positiveID()
        let rows = try await postgres.query(
            """
            SELECT s.path::text, f.jpeg_sealed, f.key_id
            FROM candidate_scope s LEFT JOIN candidate_photo f ON f.candidate_id = s.candidate_id
            WHERE s.candidate_id = \(candidateID)
            """, logger: logger)
        var found: (String, ByteBuffer?, String?)?
        for try await row in rows.decode((String, ByteBuffer?, String?).self) { found = row }
        try await access.staff.requireScope(member, covers: found?.0, action: "photo.read", target: .candidate(candidateID), request: request)
        guard let (_, sealedBytes, keyID) = found, let sealedBytes, let keyID else {
            throw APIError(.notFound, code: "photo.none", message: "尚未采集考生相片")
        }
        let jpeg = try access.cipher.openBytes(.init(keyID: keyID, bytes: Array(buffer: sealedBytes)), column: "candidate_photo.jpeg")
        try await access.audit.record(.staff(member), action: "photo.read", target: .candidate(candidateID), request: request)
        return Response(
            status: .ok, headers: [.contentType: "image/jpeg", .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(bytes: jpeg)))
    }

    struct ScanAdded: Codable, Sendable {
        let scanID: Int64
        let width: Int
        let height: Int
    }

    @Sendable func addScan(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<ScanAdded> {
        let candidateID = try context.positiveID()
        let (member, candidate) = try await desk.candidate(request, context, candidateID, action: "document_scan.add")
        guard candidate.documentType != .residentID else {
            throw APIError(.conflict, code: "document_scan.not_permit_holder", message: "只有持港澳台、华侨或外籍证件的考生需要上传证件扫描件")
        }
        guard ["submitted", "pending_city_review"].contains(candidate.status) else { throw Self.locked(candidate.status) }
        let image = try await stored(request, rules: .documentScan)
        let sealed = try access.cipher.seal(bytes: image.jpeg, column: "permit_scan.jpeg")
        let id = try await postgres.withTransaction(logger: logger) { connection in
            let id = try await connection.query(
                """
                INSERT INTO permit_scan (candidate_id, jpeg_sealed, key_id, uploaded_by)
                VALUES (\(candidateID), \(ByteBuffer(bytes: sealed.bytes)), \(sealed.keyID), \(member.id)) RETURNING id
                """, logger: logger
            ).decode(Int64.self).first { _ in true }
            try await AuditLog.record(.staff(member), action: "document_scan.add", target: .candidate(candidateID), clientAddress: request.clientAddress, on: connection, logger: logger)
            return id ?? 0
        }
        return JSONOutput(ScanAdded(scanID: id, width: image.width, height: image.height), status: .created)
    }

    /// The body as a checked, normalised image, or a 4xx naming what is wrong with it.
    private func stored(_ request: Request, rules: ImageRules) async throws -> StoredImage {
        let body = try await request.body(upTo: rules.maxBytes, orElse: Self.refused(.tooManyBytes(limit: rules.maxBytes), status: .contentTooLarge))
        do {
            return try await images.normalise(Array(buffer: body), rules: rules)
        } catch let problem as ImageProblem {
            throw Self.refused(problem, status: problem == .tooManyBytes(limit: rules.maxBytes) ? .contentTooLarge : .unprocessableContent)
        }
    }

    private static func refused(_ problem: ImageProblem, status: HTTPResponse.Status) -> APIError {
        APIError(status, code: problem.code, message: problem.message, fields: [FieldError(field: "image", code: problem.code, message: problem.message)])
    }

    static func locked(_ status: String) -> APIError {
        switch status {
        case "registered": APIError(.conflict, code: "candidate.not_submitted", message: "该考生尚未提交报名信息")
        default: APIError(.conflict, code: "candidate.locked", message: "该考生已确认，信息已锁定")
        }
    }
}
