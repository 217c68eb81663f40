import Foundation

/// When and how much the current exam year lets candidates pay (the province's exam-year
/// document, owned by Registration and read here). The one payment-deadline rule: orders are
/// made, and unpaid candidates stay valid, strictly before `deadline`; from then on neither.
struct PaymentWindow: Sendable, Equatable {
    let year: Int
    let feeFen: Int
    let deadline: Date

    func isOpen(at now: Date) -> Bool { now < deadline }
}
