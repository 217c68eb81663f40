import Logging
import PostgresNIO

/// A point's `appointment_slot` rows, and who booked them.
struct AppointmentSlotStore: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    /// A candidate due at the point on a day (masked).
    struct Due: Encodable, Sendable, Equatable {
        let candidateID: Int64
        let name: String
        let documentNumber: String
        let startsAt: String
        let endsAt: String
    }

    /// Publishes a slot; its id, or nil when the point already has a slot starting then.
    func publish(at pointID: String, day: String, startsAt: String, endsAt: String, capacity: Int) async throws -> Int64? {
        try await postgres.query(
            """
            INSERT INTO appointment_slot (point_id, day, starts_at, ends_at, capacity)
            VALUES (\(pointID), \(day)::date, \(startsAt)::time, \(endsAt)::time, \(capacity))
            ON CONFLICT (point_id, day, starts_at) DO NOTHING RETURNING id
            """, logger: logger
        ).decode(Int64.self).first { _ in true }
    }

    func due(at pointID: String, on day: String) async throws -> [Due] {
        let rows = try await postgres.query(
            """
            SELECT c.id, c.name, c.document_number_masked, to_char(s.starts_at, 'HH24:MI'), to_char(s.ends_at, 'HH24:MI')
            FROM appointment a JOIN appointment_slot s ON s.id = a.slot_id JOIN candidate_account c ON c.id = a.candidate_id
            WHERE s.point_id = \(pointID) AND s.day = \(day)::date
            ORDER BY s.starts_at, c.id
            """, logger: logger)
        var list: [Due] = []
        for try await (candidate, name, number, start, end) in rows.decode((Int64, String, String, String, String).self) {
            list.append(Due(candidateID: candidate, name: name, documentNumber: number, startsAt: start, endsAt: end))
        }
        return list
    }
}
