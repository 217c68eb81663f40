import Access
import Hummingbird
import ServiceRuntime

/// A submitted candidate's appointment at the chosen point (the point publishes the slots):
/// `GET /appointment-slots`, `GET /appointment`, `POST /appointment` (book or move; one seat at a
/// time; a full slot is refused, never overbooked).
struct AppointmentRoutes: Sendable {
    let access: AccessControl
    let store: AppointmentStore

    func add(to routes: ServiceRoutes) {
        routes.candidate.get("appointment-slots", use: slots)
        routes.candidate.get("appointment", use: current)
        routes.candidate.post("appointment", use: book)
    }

    struct Booking: Decodable {
        let slotID: Int64
    }

    @Sendable func slots(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<[AppointmentSlotView]> {
        JSONOutput(try await store.slots(for: try context.candidate.accountID))
    }

    @Sendable func current(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<AppointmentSlotView> {
        guard let slot = try await store.booked(by: try context.candidate.accountID) else { throw BookingOutcome.none }
        return JSONOutput(slot)
    }

    @Sendable func book(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<AppointmentSlotView> {
        let candidateID = try context.candidate.accountID
        try await access.throttle(AccessLimits.formsPerAccount, subject: "candidate:\(candidateID)")
        let input = try await JSONInput.decode(Booking.self, from: request)
        if let refusal = try await store.book(input.slotID, for: candidateID).refusal { throw refusal }
        guard let slot = try await store.booked(by: candidateID) else { throw BookingOutcome.none }
        return JSONOutput(slot)
    }
}
