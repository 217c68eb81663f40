import Access
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import ServiceRuntime

/// A submitted candidate's appointment at the chosen point (the point publishes the slots):
/// `GET /appointment-slots`, `GET /appointment`, `POST /appointment` (book or move; one seat at a
/// time; a full slot is refused, never overbooked).
struct AppointmentRoutes: Sendable {
    let access: AccessControl
    let postgres: PostgresClient
    let logger: Logger

    func add(to routes: ServiceRoutes) {
        routes.candidate.get("appointment-slots", use: slots)
        routes.candidate.get("appointment", use: current)
        routes.candidate.post("appointment", use: book)
    }

    struct SlotView: Codable, Sendable {
        let id: Int64
        let day: String
        let startsAt: String
        let endsAt: String
        let remaining: Int
    }

    @Sendable func slots(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<[SlotView]> {
        let session = try context.candidate
        let rows = try await postgres.query(
            """
            SELECT s.id, to_char(s.day, 'YYYY-MM-DD'), to_char(s.starts_at, 'HH24:MI'), to_char(s.ends_at, 'HH24:MI'), s.capacity - s.booked
            FROM registration r JOIN appointment_slot s ON s.point_id = r.confirmation_point_id
            WHERE r.candidate_id = \(session.accountID) AND s.day >= (now() AT TIME ZONE 'Asia/Shanghai')::date
            ORDER BY s.day, s.starts_at LIMIT 200
            """, logger: logger)
        var list: [SlotView] = []
        for try await (id, day, start, end, remaining) in rows.decode((Int64, String, String, String, Int).self) {
            list.append(SlotView(id: id, day: day, startsAt: start, endsAt: end, remaining: remaining))
        }
        return JSONOutput(list)
    }

    @Sendable func current(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<SlotView> {
        let session = try context.candidate
        guard let slot = try await booked(session.accountID) else {
            throw APIError(.notFound, code: "appointment.none", message: "尚未预约")
        }
        return JSONOutput(slot)
    }

    struct Booking: Decodable {
        let slotID: Int64
    }

    @Sendable func book(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<SlotView> {
        let session = try context.candidate
        try await access.throttle(AccessLimits.formsPerAccount, subject: "candidate:\(session.accountID)")
        let input = try await JSONInput.decode(Booking.self, from: request)
        let outcome = try await postgres.withTransaction(logger: logger) { connection in
            try await Self.book(input.slotID, for: session.accountID, on: connection, logger: logger)
        }
        switch outcome {
        case "booked", "unchanged":
            guard let slot = try await booked(session.accountID) else { throw APIError.notFound }
            return JSONOutput(slot)
        case "not_submitted": throw APIError(.conflict, code: "appointment.not_submitted", message: "请先提交报名信息，再预约现场确认时段")
        case "no_point": throw APIError(.conflict, code: "appointment.no_point", message: "请先在报名信息中选择报名确认点，再预约")
        case "pending_city_review":
            throw APIError(.conflict, code: "appointment.under_review", message: "您已在确认点办理，证件正在等待市级审核，无需再预约")
        case "done": throw APIError(.conflict, code: "appointment.not_needed", message: "您已完成现场确认，无需再预约")
        case "full": throw APIError(.conflict, code: "appointment.full", message: "该时段已约满，请选择其他时段")
        default: throw APIError.invalid(field: "slotID", code: "appointment.slot_unknown", message: "所选确认点没有这个时段")
        }
    }

    /// Takes a seat (the slot row's `booked < capacity` update is the guard), gives back the
    /// seat held before, records the booking.
    static func book(_ slotID: Int64, for candidateID: Int64, on connection: PostgresConnection, logger: Logger) async throws -> String {
        let rows = try await connection.query(
            """
            SELECT c.status, r.confirmation_point_id, a.slot_id
            FROM candidate_account c LEFT JOIN registration r ON r.candidate_id = c.id LEFT JOIN appointment a ON a.candidate_id = c.id
            WHERE c.id = \(candidateID) FOR UPDATE OF c
            """, logger: logger)
        var found: (String, String?, Int64?)?
        for try await row in rows.decode((String, String?, Int64?).self) { found = row }
        guard let (status, point, held) = found else { return "not_submitted" }
        switch status {
        case "registered": return "not_submitted"
        case "submitted": break
        case "pending_city_review": return status
        default: return "done"
        }
        guard let point else { return "no_point" }
        if held == slotID { return "unchanged" }
        let taken = try await connection.query(
            """
            UPDATE appointment_slot SET booked = booked + 1
            WHERE id = \(slotID) AND point_id = \(point) AND day >= (now() AT TIME ZONE 'Asia/Shanghai')::date AND booked < capacity
            RETURNING id
            """, logger: logger)
        var seat = false
        for try await _ in taken { seat = true }
        guard seat else {
            let exists = try await connection.query(
                "SELECT 1 FROM appointment_slot WHERE id = \(slotID) AND point_id = \(point) AND day >= (now() AT TIME ZONE 'Asia/Shanghai')::date",
                logger: logger)
            for try await _ in exists { return "full" }
            return "unknown"
        }
        if let held {
            try await connection.query("UPDATE appointment_slot SET booked = booked - 1 WHERE id = \(held)", logger: logger)
        }
        try await connection.query(
            """
            INSERT INTO appointment (candidate_id, slot_id) VALUES (\(candidateID), \(slotID))
            ON CONFLICT (candidate_id) DO UPDATE SET slot_id = excluded.slot_id, booked_at = now()
            """, logger: logger)
        return "booked"
    }

    private func booked(_ candidateID: Int64) async throws -> SlotView? {
        let rows = try await postgres.query(
            """
            SELECT s.id, to_char(s.day, 'YYYY-MM-DD'), to_char(s.starts_at, 'HH24:MI'), to_char(s.ends_at, 'HH24:MI'), s.capacity - s.booked
            FROM appointment a JOIN appointment_slot s ON s.id = a.slot_id WHERE a.candidate_id = \(candidateID)
            """, logger: logger)
        for try await (id, day, start, end, remaining) in rows.decode((Int64, String, String, String, Int).self) {
            return SlotView(id: id, day: day, startsAt: start, endsAt: end, remaining: remaining)
        }
        return nil
    }
}
