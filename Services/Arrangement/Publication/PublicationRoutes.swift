import Access
import Foundation
import Hummingbird
import ServiceRuntime

/// Publication and what follows it: the province publishes a run whose districts' allocations the
/// cities accepted (`POST /staff/numbering-runs/{id}/publish`, which emits
/// `ArrangementPublished`); then a district's officer (or the province) corrects one candidate's
/// room (`POST /staff/arrangement/candidate-moves`) or closes a site and moves its rooms
/// (`POST /staff/exam-sites/{id}/close`). A candidate reads their seat once published
/// (`GET /admission-ticket`).
struct PublicationRoutes: Sendable {
    let access: AccessControl
    let store: PublicationStore
    let districts: ExamDistrictStore
    let sites: ExamSiteStore

    func add(to routes: ServiceRoutes) {
        routes.staff.post("staff/numbering-runs/{id}/publish", use: publish)
        routes.staff.post("staff/arrangement/candidate-moves", use: moveCandidate)
        routes.staff.post("staff/exam-sites/{id}/close", use: closeSite)
        routes.candidate.get("admission-ticket", use: admissionTicket)
    }

    @Sendable func publish(_ request: Request, _ context: ExamRequestContext) async throws -> Response {
        let member = try context.staff
        guard let run = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw APIError.notFound }
        try await access.staff.requireProvince(member, action: "numbering.publish", target: .init(kind: "numbering_run", id: run.uuidString), request: request)
        switch try await store.publish(run, by: member, clientAddress: request.clientAddress) {
        case nil: return Response(status: .noContent)
        case .notFound?: throw APIError.notFound
        case .published?: throw APIError(.conflict, code: "numbering.published", message: "本年度编排已发布")
        case .allocations(let open)?: throw APIError(.conflict, code: "allocation.open", message: "还有 \(open) 个考区的考场分配未经市州审核通过")
        default: throw APIError(.conflict, code: "numbering.not_latest", message: "只能发布本年度最近一次成功的编排")
        }
    }

    struct Move: Decodable {
        let candidateNumber: String
        /// An existing room of the candidate's district and group with a free seat...
        let room: Int?
        /// ...or a new room at this site (for example one of its accessible rooms).
        let siteID: String?
        let reason: String
    }

    struct Moved: Codable, Sendable {
        let candidateNumber: String
        let ticket: String
    }

    @Sendable func moveCandidate(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<Moved> {
        let member = try context.staff
        let input = try await JSONInput.decode(Move.self, from: request)
        let reason = try Self.reason(input.reason)
        guard input.candidateNumber.count == 14, input.candidateNumber.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw APIError.invalid(field: "candidateNumber", code: "candidate_number.format", message: "考生号应为 14 位数字")
        }
        let destination: PublicationStore.Destination
        switch (input.room, input.siteID) {
        case (let room?, nil) where (1...999).contains(room): destination = .room(room)
        case (nil, let site?) where site.count <= 40: destination = .newRoom(site: site)
        default: throw APIError.invalid(field: "room", code: "destination.invalid", message: "请给出考场号（1-999）或新考场所在的考点，二者只选其一")
        }
        guard let run = try await store.publishedRun() else { throw APIError(.conflict, code: "numbering.unpublished", message: "本年度编排尚未发布") }
        guard let (candidateID, ticket) = try await store.ticket(run: run, candidateNumber: input.candidateNumber) else {
            throw APIError.invalid(field: "candidateNumber", code: "candidate.unknown", message: "本次编排没有这个考生")
        }
        try await authorise(member, district: String(ticket.prefix(4)), action: "arrangement.candidate_moved", request)
        switch try await store.move(candidateID: candidateID, from: ticket, to: destination, run: run, reason: reason, by: member, clientAddress: request.clientAddress) {
        case .success(let newTicket): return JSONOutput(Moved(candidateNumber: input.candidateNumber, ticket: newTicket))
        case .failure(.room(let why)): throw APIError.invalid(field: "room", code: "room.unusable", message: why)
        case .failure(.site(let why)): throw APIError.invalid(field: "siteID", code: "site.unusable", message: why)
        case .failure: throw APIError(.conflict, code: "arrangement.state", message: "编排状态已变化，请重试")
        }
    }

    struct Closure: Decodable {
        let moveTo: String
        let reason: String
    }

    struct Closed: Codable, Sendable {
        let siteID: String
        let movedTo: String
        let candidates: Int
    }

    @Sendable func closeSite(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<Closed> {
        let member = try context.staff
        guard let site = context.parameters.get("id"), site.count <= 40 else { throw APIError.notFound }
        let input = try await JSONInput.decode(Closure.self, from: request)
        let reason = try Self.reason(input.reason)
        guard input.moveTo.count <= 40 else { throw APIError.invalid(field: "moveTo", code: "site.unusable", message: "没有这个考点") }
        guard let found = try await sites.site(site) else { throw APIError.notFound }
        try await authorise(member, district: found.districtCode, action: "arrangement.site_closed", request)
        guard let run = try await store.publishedRun() else { throw APIError(.conflict, code: "numbering.unpublished", message: "本年度编排尚未发布") }
        switch try await store.close(site: site, into: input.moveTo, run: run, reason: reason, by: member, clientAddress: request.clientAddress) {
        case .success(let moved): return JSONOutput(Closed(siteID: site, movedTo: input.moveTo, candidates: moved))
        case .failure(.site(let why)): throw APIError.invalid(field: "moveTo", code: "site.unusable", message: why)
        case .failure: throw APIError(.conflict, code: "arrangement.state", message: "编排状态已变化，请重试")
        }
    }

    /// The district's officers (those of its office, and the levels above) and the province.
    private func authorise(_ member: StaffMember, district code: String, action: String, _ request: Request) async throws {
        let district = try await districts.district(code)
        let officer = !member.roles.isDisjoint(with: [.countyOfficer, .cityOfficer, .provinceAdministrator])
        guard officer, let district, member.covers(path: district.officePath) else {
            try await access.audit.record(.staff(member), action: action, target: .init(kind: "exam_district", id: code), outcome: .denied, request: request)
            throw APIError.forbidden
        }
    }

    static func reason(_ text: String) throws -> String {
        let reason = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (2...200).contains(reason.count) else { throw APIError.invalid(field: "reason", code: "reason.length", message: "请填写原因（2-200 字）") }
        return reason
    }

    /// Where the candidate sits, once the province has published.
    struct AdmissionTicket: Codable, Sendable {
        let ticket: String
        let candidateNumber: String
        let districtCode: String
        let districtName: String
        let examGroup: String
        let room: Int
        let seat: Int
        let siteName: String
        let siteAddress: String
    }

    @Sendable func admissionTicket(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<AdmissionTicket> {
        let candidate = try context.candidate.accountID
        let row = try await store.seat(of: candidate)
        guard let (ticket, number, code, name, site, address) = row else {
            throw APIError(.notFound, code: "ticket.unpublished", message: "准考证号尚未发布")
        }
        return JSONOutput(
            AdmissionTicket(
                ticket: ticket, candidateNumber: number, districtCode: code, districtName: name, examGroup: String(ticket.dropFirst(4).prefix(2)),
                room: Int(ticket.dropFirst(6).prefix(3)) ?? 0, seat: Int(ticket.suffix(2)) ?? 0, siteName: site, siteAddress: address))
    }
}
