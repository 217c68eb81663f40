import Access
import Foundation
import Hummingbird
import ServiceRuntime

/// Setting up confirmation points (seed 四.1): a county proposes (`POST /staff/points`), then the
/// review every proposed place goes through (`ProposalReviewRoutes`: the city reviews, the
/// province approves or returns); only approved points are offered to candidates.
/// `GET /staff/points` lists the member's subtree.
struct ConfirmationPointRoutes: Sendable {
    let access: AccessControl
    let store: ConfirmationPointStore

    func add(to routes: ServiceRoutes) {
        routes.staff.post("staff/points", use: propose)
        routes.staff.get("staff/points", use: list)
        ProposalReviewRoutes(access: access, kind: .confirmationPoint, postgres: store.postgres, logger: store.logger) { id in
            try await store.point(id)?.record
        }.add(to: routes, at: "staff/points")
        routes.staff.post("staff/points/{id}/hours-overrides", use: override)
    }

    struct Proposal: Decodable {
        let name: String
        let address: String
        let contact: String
        let phone: String
        let levels: [String]
        let lowAge: Bool?
        let medical: Bool?
        let dailyCapacity: Int?
        /// Working hours, `[["08:00","12:00"],["15:00","18:00"]]` unless given.
        let hours: [[String]]?
    }

    @Sendable func propose(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<ConfirmationPointRecord> {
        let member = try await ProposalKind.confirmationPoint.proposer(context, access: access, request: request)
        let input = try await JSONInput.decode(Proposal.self, from: request)
        var validation = Validation()
        let place = PlaceContact.check(name: input.name, address: input.address, contact: input.contact, phone: input.phone, into: &validation)
        let levels = ["high_school_to_bachelor", "high_school_to_associate", "associate_to_bachelor"]
        if input.levels.isEmpty || input.levels.count > 3 || !input.levels.allSatisfy(levels.contains) {
            validation.add("levels", "levels.invalid", "请选择受理的报考层次")
        }
        let capacity = input.dailyCapacity ?? 500
        if !(1...10_000).contains(capacity) { validation.add("dailyCapacity", "daily_capacity.range", "每日受理人数应为 1-10000") }
        let hours = input.hours ?? PointHours.standard
        if !PointHours.isValid(hours) { validation.add("hours", "hours.invalid", "工作时间应为 1-4 个按先后排列、互不重叠的时段，如 08:00-12:00") }
        try validation.check()
        guard let place else { throw APIError.invalid(validation.errors) }
        let id = try await store.propose(
            .init(
                name: place.name, address: place.address, contact: place.contact, phone: place.phone, levels: Array(Set(input.levels)).sorted(), lowAge: input.lowAge ?? false,
                medical: input.medical ?? false, dailyCapacity: capacity, hours: hours),
            county: member.nodeID, by: member, clientAddress: request.clientAddress)
        guard let created = try await store.point(id) else { throw APIError.notFound }
        return JSONOutput(created.record, status: .created)
    }

    @Sendable func list(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<[ConfirmationPointRecord]> {
        let member = try context.staff
        return JSONOutput(try await store.points(under: member.nodePath))
    }

    struct Override: Decodable {
        /// `YYYY-MM-DD`, a day in China.
        let day: String
        let reason: String
    }

    struct OverrideGranted: Codable, Sendable {
        let pointID: String
        let day: String
    }

    /// The county lets its point's operators work beyond the hours on one day (today or later).
    @Sendable func override(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<OverrideGranted> {
        let member = try context.staff
        let (id, _) = try await scopedPoint(context, member, action: "point.hours_override", request: request, allowed: member.roles.contains(.countyOfficer))
        let input = try await JSONInput.decode(Override.self, from: request)
        var validation = Validation()
        let reason = validation.text(input.reason, field: "reason", length: 2...200)
        let today = CalendarDate.text(of: Date())
        if !CalendarDate.isValid(input.day) {
            validation.add("day", "day.format", "日期格式应为 YYYY-MM-DD")
        } else if input.day < today {
            validation.add("day", "day.past", "不能为已过去的日期开放")
        }
        try validation.check()
        guard let reason else { throw APIError.invalid(validation.errors) }
        try await store.grantOverride(id, day: input.day, reason: reason, by: member, clientAddress: request.clientAddress)
        return JSONOutput(OverrideGranted(pointID: id, day: input.day), status: .created)
    }

    private func scopedPoint(
        _ context: ExamRequestContext, _ member: StaffMember, action: String, request: Request, allowed: Bool
    ) async throws -> (String, ConfirmationPointRecord) {
        guard let id = context.parameters.get("id"), id.count <= 32 else { throw APIError.notFound }
        let found = try await store.point(id)
        guard allowed, let path = found?.path, member.covers(path: path) else {
            try await access.audit.record(.staff(member), action: action, target: .init(kind: "confirmation_point", id: id), outcome: .denied, request: request)
            throw APIError.forbidden
        }
        return (id, found!.record)
    }
}
