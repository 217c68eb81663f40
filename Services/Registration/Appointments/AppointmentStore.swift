import Logging
import PostgresNIO

/// Candidates' bookings (`appointment`) and the seats they take (`appointment_seat`); the slots
/// themselves are Confirmation's (`appointment_slot`), read here.
struct AppointmentStore: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    /// The slots still to come at the candidate's chosen point.
    func slots(for candidateID: Int64) async throws -> [AppointmentSlotView] {
        let rows = try await postgres.query(
            """
            SELECT s.id, to_char(s.day, 'YYYY-MM-DD'), to_char(s.starts_at, 'HH24:MI'), to_char(s.ends_at, 'HH24:MI'),
                   s.capacity - coalesce(t.booked, 0)
            FROM registration r JOIN appointment_slot s ON s.point_id = r.confirmation_point_id
            LEFT JOIN appointment_seat t ON t.slot_id = s.id
            WHERE r.candidate_id = \(candidateID) AND s.day >= (now() AT TIME ZONE 'Asia/Shanghai')::date
            ORDER BY s.day, s.starts_at LIMIT 200
            """, logger: logger)
        var list: [AppointmentSlotView] = []
        for try await (id, day, start, end, remaining) in rows.decode((Int64, String, String, String, Int).self) {
            list.append(AppointmentSlotView(id: id, day: day, startsAt: start, endsAt: end, remaining: remaining))
        }
        return list
    }

    /// The slot the candidate holds a seat in.
    func booked(by candidateID: Int64) async throws -> AppointmentSlotView? {
        let rows = try await postgres.query(
            """
            SELECT s.id, to_char(s.day, 'YYYY-MM-DD'), to_char(s.starts_at, 'HH24:MI'), to_char(s.ends_at, 'HH24:MI'),
                   s.capacity - coalesce(t.booked, 0)
            FROM appointment a JOIN appointment_slot s ON s.id = a.slot_id LEFT JOIN appointment_seat t ON t.slot_id = s.id
            WHERE a.candidate_id = \(candidateID)
            """, logger: logger)
        for try await (id, day, start, end, remaining) in rows.decode((Int64, String, String, String, Int).self) {
            return AppointmentSlotView(id: id, day: day, startsAt: start, endsAt: end, remaining: remaining)
        }
        return nil
    }

    /// Takes a seat (the seat row's upsert, counting only below the capacity, is the guard, so a
    /// full slot is refused, never overbooked), gives back the seat held before, records the booking; all in
    /// one transaction with the candidate's row locked.
    func book(_ slotID: Int64, for candidateID: Int64) async throws -> BookingOutcome {
        try await postgres.withTransaction(logger: logger) { connection in
            let rows = try await connection.query(
                """
                SELECT c.status, r.confirmation_point_id, a.slot_id
                FROM candidate_account c LEFT JOIN registration r ON r.candidate_id = c.id LEFT JOIN appointment a ON a.candidate_id = c.id
                WHERE c.id = \(candidateID) FOR UPDATE OF c
                """, logger: logger)
            var found: (String, String?, Int64?)?
            for try await row in rows.decode((String, String?, Int64?).self) { found = row }
            guard let (status, point, held) = found else { return .notSubmitted }
            switch status {
            case "registered": return .notSubmitted
            case "submitted": break
            case "pending_city_review": return .underCityReview
            default: return .alreadyConfirmed
            }
            guard let point else { return .noPoint }
            if held == slotID { return .unchanged }
            let taken = try await connection.query(
                """
                INSERT INTO appointment_seat AS t (slot_id, booked)
                SELECT id, 1 FROM appointment_slot
                WHERE id = \(slotID) AND point_id = \(point) AND day >= (now() AT TIME ZONE 'Asia/Shanghai')::date
                ON CONFLICT (slot_id) DO UPDATE SET booked = t.booked + 1
                    WHERE t.booked < (SELECT capacity FROM appointment_slot WHERE id = t.slot_id)
                RETURNING t.slot_id
                """, logger: logger)
            var seat = false
            for try await _ in taken { seat = true }
            guard seat else {
                let exists = try await connection.query(
                    "SELECT 1 FROM appointment_slot WHERE id = \(slotID) AND point_id = \(point) AND day >= (now() AT TIME ZONE 'Asia/Shanghai')::date",
                    logger: logger)
                for try await _ in exists { return .full }
                return .unknownSlot
            }
            if let held {
                try await connection.query("UPDATE appointment_seat SET booked = booked - 1 WHERE slot_id = \(held)", logger: logger)
            }
            try await connection.query(
                """
                INSERT INTO appointment (candidate_id, slot_id) VALUES (\(candidateID), \(slotID))
                ON CONFLICT (candidate_id) DO UPDATE SET slot_id = excluded.slot_id, booked_at = now()
                """, logger: logger)
            return .booked
        }
    }
}
