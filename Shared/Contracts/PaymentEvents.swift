import Foundation

/// A candidate's registration fee was received and applied: the candidate is `paid` (a valid
/// registration). One per candidate; repeats and second payments never emit it again.
public struct PaymentCompleted: DomainEvent, Equatable {
    public static let eventType = "PaymentCompleted"
    public static let schemaVersion = 1
    public static let routingKey = "payment.completed"

    public let candidateID: Int64
    public let year: Int
    public let orderNo: String
    public let provider: String
    public let amountFen: Int

    public init(candidateID: Int64, year: Int, orderNo: String, provider: String, amountFen: Int) {
        self.candidateID = candidateID
        self.year = year
        self.orderNo = orderNo
        self.provider = provider
        self.amountFen = amountFen
    }
}

/// A candidate's registration became invalid (not confirmed or not paid when the window closed).
public struct CandidateInvalidated: DomainEvent, Equatable {
    public static let eventType = "CandidateInvalidated"
    public static let schemaVersion = 1
    public static let routingKey = "candidate.invalidated"

    public let candidateID: Int64
    public let year: Int
    public let previousStatus: String
    /// `payment_deadline`.
    public let reason: String

    public init(candidateID: Int64, year: Int, previousStatus: String, reason: String) {
        self.candidateID = candidateID
        self.year = year
        self.previousStatus = previousStatus
        self.reason = reason
    }
}
