import Access
import Foundation
import Hummingbird
import ServiceRuntime

/// A point's appointment slots (staff side):
/// - `POST /staff/points/{id}/slots` publishes a slot within the point's working hours;
/// - `GET /staff/points/{id}/appointments?day=YYYY-MM-DD` is who is due that day (audited).
struct AppointmentSlotRoutes: Sendable {
    let access: AccessControl
    let points: ConfirmationPointStore
    let store: AppointmentSlotStore

    func add(to routes: ServiceRoutes) {
        routes.staff.post("staff/points/{id}/slots", use: publish)
        routes.staff.get("staff/points/{id}/appointments", use: due)
    }

    struct Slot: Codable, Sendable {
        let day: String
        let startsAt: String
        let endsAt: String
        let capacity: Int
    }

    struct PublishedSlot: Encodable, Sendable {
        let id: Int64
        let day: String
        let startsAt: String
        let endsAt: String
        let capacity: Int
    }

    @Sendable func publish(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<PublishedSlot> {
        let member = try context.staff
        let (id, record) = try await point(context, member, request: request, action: "slot.publish")
        let input = try await JSONInput.decode(Slot.self, from: request)
        var validation = Validation()
        let today = CalendarDate.text(of: Date())
        // The same reading of a time of day as the point's hours (which may end at 24:00); a slot
        // cannot start at midnight's end.
        let start = PointHours.minutes(input.startsAt).flatMap { $0 < 24 * 60 ? $0 : nil }, end = PointHours.minutes(input.endsAt)
        if start == nil { validation.add("startsAt", "time.format", "时间格式应为 HH:MM（00:00-23:59）") }
        if end == nil { validation.add("endsAt", "time.format", "时间格式应为 HH:MM（00:00-24:00）") }
        if input.day.count != 10 || input.day < today || CalendarDate.isValid(input.day) == false { validation.add("day", "day.invalid", "日期应为今天或以后，格式 YYYY-MM-DD") }
        if !(1...1000).contains(input.capacity) { validation.add("capacity", "capacity.range", "容量应为 1-1000") }
        if let start, let end, !PointHours.covers(record.hours, from: start, to: end) {
            validation.add("startsAt", "slot.outside_hours", "时段须在确认点工作时间之内")
        }
        try validation.check()
        let created = try await store.publish(at: id, day: input.day, startsAt: input.startsAt, endsAt: input.endsAt, capacity: input.capacity)
        guard let created else { throw Refusal.conflict("slot.exists", "该时段已发布") }
        try await access.audit.record(.staff(member), action: "slot.publish", target: .init(kind: "appointment_slot", id: String(created)), request: request)
        return JSONOutput(PublishedSlot(id: created, day: input.day, startsAt: input.startsAt, endsAt: input.endsAt, capacity: input.capacity), status: .created)
    }

    @Sendable func due(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<[AppointmentSlotStore.Due]> {
        let member = try context.staff
        let (id, _) = try await point(context, member, request: request, action: "appointments.read")
        let day = request.uri.queryParameters.get("day") ?? CalendarDate.text(of: Date())
        guard CalendarDate.isValid(day) else { throw APIError.invalid(field: "day", code: "day.invalid", message: "日期格式应为 YYYY-MM-DD") }
        let list = try await store.due(at: id, on: day)
        try await access.audit.record(.staff(member), action: "appointments.read", target: .init(kind: "confirmation_point", id: id), request: request)
        return JSONOutput(list)
    }

    /// The point in the path, if the member's subtree holds it and the member works for points
    /// (an operator of it, or its county or city).
    private func point(_ context: ExamRequestContext, _ member: StaffMember, request: Request, action: String) async throws -> (String, ConfirmationPointRecord) {
        guard let id = context.parameters.get("id"), id.count <= 32 else { throw APIError.notFound }
        let found = try await points.point(id)
        guard let found, member.covers(path: found.path), member.changesCandidates, found.record.status == "approved" else {
            try await access.audit.record(.staff(member), action: action, target: .init(kind: "confirmation_point", id: id), outcome: .denied, request: request)
            throw APIError.forbidden
        }
        return (id, found.record)
    }
}
