import Access
import Foundation
import Hummingbird
import NIOCore
import Photos
import ServiceRuntime

/// The candidate's photo (相片), captured at the point from the ID-card reader or a camera:
/// - `PUT /staff/candidates/{id}/photo`: the image as the body (JPEG, PNG or BMP, judged by its
///   bytes), decoded, checked and stored as one JPEG; refused once the candidate is confirmed;
/// - `GET /staff/candidates/{id}/photo`: the stored JPEG, for staff covering the candidate;
/// - `POST /staff/candidates/{id}/document-scans`: a permit holder's document scan for the city.
struct CandidatePhotoRoutes: Sendable {
    let access: AccessControl
    let desk: OperatorDesk
    let store: CandidatePhotoStore
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
        guard ["submitted", "pending_city_review"].contains(candidate.status) else { throw CandidatePhotos.locked(candidate.status) }
        let image = try await stored(request, rules: .candidatePhoto)
        let printed = try await images.normalise(image.jpeg, rules: .printedPhoto)
        try await store.savePhoto(image, printed: printed.jpeg, of: candidateID, by: member, clientAddress: request.clientAddress)
        return JSONOutput(Captured(candidateID: candidateID, width: image.width, height: image.height, uploadedFormat: image.uploadedFormat.rawValue, storedBytes: image.jpeg.count))
    }

    @Sendable func show(_ request: Request, _ context: ExamRequestContext) async throws -> Response {
        let member = try context.staff
        let candidateID = try context.positiveID()
        let found = try await store.photo(of: candidateID)
        try await access.staff.requireScope(member, covers: found?.scopePath, action: "photo.read", target: .candidate(candidateID), request: request)
        guard let jpeg = found?.jpeg else { throw CandidatePhotos.noPhoto }
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
        guard candidate.documentType != .residentID else { throw CandidatePhotos.notPermitHolder }
        guard ["submitted", "pending_city_review"].contains(candidate.status) else { throw CandidatePhotos.locked(candidate.status) }
        let image = try await stored(request, rules: .documentScan)
        let id = try await store.addScan(image, of: candidateID, by: member, clientAddress: request.clientAddress)
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
}
