import Access
import Foundation
import Hummingbird
import ServiceRuntime

/// A county's exam-site materials: `POST /staff/exam-sites/{id}/pack` queues them (202; the same
/// pack again while no correction changed the arrangement), `GET /staff/site-packs/{id}` shows
/// the rooms drawn, and `GET /staff/site-packs/{id}/file` downloads the ZIP (audited).
struct SitePackRoutes: Sendable {
    let access: AccessControl
    let store: SitePackStore
    let files: DocumentFiles

    func add(to routes: ServiceRoutes) {
        routes.staff.post("staff/exam-sites/{id}/pack", use: request)
        routes.staff.get("staff/site-packs/{id}", use: progress)
        routes.staff.get("staff/site-packs/{id}/file", use: download)
    }

    @Sendable func request(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<SitePackStore.Progress> {
        let member = try context.staff
        let site = context.parameters.get("id") ?? ""
        let path = site.count <= 40 ? try await store.sitePath(site) : nil
        try await access.staff.requireScope(member, covers: path, action: "site_pack.request", target: .init(kind: "exam_site", id: site), request: request)
        let id: UUID
        let status: HTTPResponse.Status
        switch try await store.request(site: site, by: member, clientAddress: request.clientAddress) {
        case .unpublished: throw APIError(.conflict, code: "arrangement.unpublished", message: "本年度考场编排尚未发布")
        case .noRooms: throw APIError(.conflict, code: "site_pack.no_rooms", message: "本考点在已发布的编排中没有考场")
        case .existing(let existing): (id, status) = (existing, .ok)
        case .queued(let queued): (id, status) = (queued, .accepted)
        }
        guard let found = try await store.progress(id) else { throw APIError.notFound }
        return JSONOutput(found.progress, status: status)
    }

    private func authorised(_ request: Request, _ context: ExamRequestContext, action: String) async throws -> (SitePackStore.Progress, String?) {
        let member = try context.staff
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw APIError.notFound }
        let found = try await store.progress(id)
        var path: String?
        if let found { path = try await store.sitePath(found.progress.siteID) }
        try await access.staff.requireScope(member, covers: path, action: action, target: .init(kind: "site_pack", id: id.uuidString), request: request)
        guard let found else { throw APIError.notFound }
        return found
    }

    @Sendable func progress(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<SitePackStore.Progress> {
        JSONOutput(try await authorised(request, context, action: "site_pack.read").0)
    }

    @Sendable func download(_ request: Request, _ context: ExamRequestContext) async throws -> Response {
        let (progress, file) = try await authorised(request, context, action: "site_pack.download")
        guard let file else { throw APIError(.conflict, code: "site_pack.drawing", message: "考点材料正在生成（\(progress.roomsMade)/\(progress.rooms)），请稍后") }
        let bytes = try files.read(file)
        try await access.audit.record(.staff(try context.staff), action: "site_pack.download", target: .init(kind: "site_pack", id: progress.id.uuidString), request: request)
        return StoredFileResponse.file(bytes, type: "application/zip", filename: "site-pack-\(progress.siteID).zip")
    }
}
