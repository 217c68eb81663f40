import Access
import Foundation
import Hummingbird
import ServiceRuntime

/// Rooms to sites (考室考点分配, seed 四.11), per district of a numbering run, under
/// `/staff/numbering-runs/{id}/districts/{code}/allocation`: `GET` shows the rooms and the
/// district's approved sites; the district's officer asks for the automatic proposal (`POST
/// .../proposal`), adjusts it (`PUT` with `{"rooms": [{"room": 7, "siteID": ...}]}`) and submits
/// it (`POST .../submit`); the city accepts or returns it (`POST .../review`). A site never takes
/// more rooms than it offered. The province publishes when every district's is accepted.
struct RoomAllocationRoutes: Sendable {
    let access: AccessControl
    let store: RoomAllocationStore
    let districts: ExamDistrictStore

    func add(to routes: ServiceRoutes) {
        let base = "staff/numbering-runs/{id}/districts/{code}/allocation"
        routes.staff.get(RouterPath(base), use: show)
        routes.staff.post(RouterPath("\(base)/proposal"), use: propose)
        routes.staff.put(RouterPath(base), use: adjust)
        routes.staff.post(RouterPath("\(base)/submit"), use: submit)
        routes.staff.post(RouterPath("\(base)/review"), use: review)
    }

    /// Who may do what with a district's allocation.
    enum Part { case read, allocate, review }

    private func district(_ part: Part, _ request: Request, _ context: ExamRequestContext) async throws -> (UUID, String, StaffMember) {
        let member = try context.staff
        guard let run = context.parameters.get("id").flatMap(UUID.init(uuidString:)), let code = context.parameters.get("code"), code.count == 4,
            let found = try await districts.district(code)
        else { throw APIError.notFound }
        let allowed: Bool
        switch part {
        case .read: allowed = member.covers(path: found.officePath) || member.covers(path: found.cityPath)
        case .allocate: allowed = !member.roles.isDisjoint(with: [.countyOfficer, .cityOfficer]) && member.covers(path: found.officePath)
        case .review: allowed = member.roles.contains(.cityOfficer) && member.nodeID == found.record.cityID
        }
        guard allowed else {
            try await access.audit.record(
                .staff(member), action: "allocation.\(part)", target: .init(kind: "room_allocation", id: "\(run)/\(code)"), outcome: .denied, request: request)
            throw APIError.forbidden
        }
        return (run, code, member)
    }

    @Sendable func show(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<DistrictAllocation> {
        let (run, code, _) = try await district(.read, request, context)
        return try await allocation(run, code)
    }

    private func allocation(_ run: UUID, _ code: String) async throws -> JSONOutput<DistrictAllocation> {
        guard let allocation = try await store.allocation(run: run, district: code) else { throw APIError.notFound }
        return JSONOutput(allocation)
    }

    @Sendable func propose(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<DistrictAllocation> {
        let (run, code, member) = try await district(.allocate, request, context)
        try Self.check(try await store.propose(run: run, district: code, by: member, clientAddress: request.clientAddress))
        return try await allocation(run, code)
    }

    struct Adjustment: Decodable {
        struct Placement: Decodable {
            let room: Int
            let siteID: String
        }
        let rooms: [Placement]
    }

    @Sendable func adjust(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<DistrictAllocation> {
        let (run, code, member) = try await district(.allocate, request, context)
        let input = try await JSONInput.decode(Adjustment.self, from: request)
        guard !input.rooms.isEmpty, input.rooms.count <= 999, Set(input.rooms.map(\.room)).count == input.rooms.count,
            input.rooms.allSatisfy({ (1...999).contains($0.room) && $0.siteID.count <= 40 })
        else { throw APIError.invalid(field: "rooms", code: "rooms.invalid", message: "请列出 1-999 个不重复的考场及其考点") }
        try Self.check(
            try await store.assign(run: run, district: code, rooms: input.rooms.map { ($0.room, $0.siteID) }, by: member, clientAddress: request.clientAddress))
        return try await allocation(run, code)
    }

    @Sendable func submit(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<DistrictAllocation> {
        let (run, code, member) = try await district(.allocate, request, context)
        try Self.check(
            try await store.move(run: run, district: code, from: ["draft", "returned"], to: "submitted", reason: nil, by: member, clientAddress: request.clientAddress))
        return try await allocation(run, code)
    }

    struct Review: Decodable {
        let approve: Bool
        let reason: String?
    }

    @Sendable func review(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<DistrictAllocation> {
        let (run, code, member) = try await district(.review, request, context)
        let input = try await JSONInput.decode(Review.self, from: request)
        let reason = try ReviewReason.checked(input.reason, required: !input.approve)
        try Self.check(
            try await store.move(
                run: run, district: code, from: ["submitted"], to: input.approve ? "accepted" : "returned", reason: reason, by: member,
                clientAddress: request.clientAddress))
        return try await allocation(run, code)
    }

    static func check(_ refusal: RoomAllocationStore.Refusal?) throws {
        switch refusal {
        case nil: return
        case .notOpen?: throw APIError(.conflict, code: "allocation.closed", message: "该考区的分配已提交、已发布或不存在")
        case .state?: throw APIError(.conflict, code: "allocation.state", message: "该考区的分配不在这一步")
        case .unknownRoom(let room)?: throw APIError.invalid(field: "rooms", code: "room.unknown", message: "本考区没有第 \(room) 考场")
        case .site(let site)?: throw APIError.invalid(field: "rooms", code: "site.unusable", message: "考点 \(site) 不属于本考区、未审定或已关闭")
        case .overfull(let sites)?:
            throw APIError.invalid(field: "rooms", code: "site.overfull", message: "考点 \(sites.joined(separator: "、")) 分到的考场多于其提供的考场，或座位不够")
        case .unallocated(let count)?: throw APIError(.conflict, code: "allocation.incomplete", message: "还有 \(count) 个考场没有分配考点")
        }
    }
}
