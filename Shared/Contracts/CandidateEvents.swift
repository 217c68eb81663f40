import Foundation

/// A candidate submitted (or, before confirmation, re-submitted) their registration. No
/// personal data: consumers that need more read it where it is kept. A candidate's events leave
/// in the order they were written, so the last one received is the one in force.
public struct CandidateSubmitted: DomainEvent, Equatable {
    public static let eventType = "CandidateSubmitted"
    public static let schemaVersion = 1
    public static let routingKey = "candidate.submitted"

    public let candidateID: Int64
    public let year: Int
    public let confirmationPointID: String
    /// The level and subject category of each choice, in order.
    public let choices: [Choice]

    public struct Choice: Codable, Sendable, Equatable {
        public let level: String
        public let subjectCategory: String
        public let institutionCode: String
        public let majorCode: String

        public init(level: String, subjectCategory: String, institutionCode: String, majorCode: String) {
            self.level = level
            self.subjectCategory = subjectCategory
            self.institutionCode = institutionCode
            self.majorCode = majorCode
        }
    }

    public init(candidateID: Int64, year: Int, confirmationPointID: String, choices: [Choice]) {
        self.candidateID = candidateID
        self.year = year
        self.confirmationPointID = confirmationPointID
        self.choices = choices
    }
}

/// A confirmation point confirmed (locked) a candidate's registration and gave the number.
public struct CandidateConfirmed: DomainEvent, Equatable {
    public static let eventType = "CandidateConfirmed"
    public static let schemaVersion = 1
    public static let routingKey = "candidate.confirmed"

    public let candidateID: Int64
    public let year: Int
    public let candidateNumber: String
    public let confirmationPointID: String

    public init(candidateID: Int64, year: Int, candidateNumber: String, confirmationPointID: String) {
        self.candidateID = candidateID
        self.year = year
        self.candidateNumber = candidateNumber
        self.confirmationPointID = confirmationPointID
    }
}

/// A move of a candidate's status that no more specific event tells (referred to the city, a
/// permit refused, ...): every move emits an event, so that a reader of events sees them all.
public struct CandidateMoved: DomainEvent, Equatable {
    public static let eventType = "CandidateMoved"
    public static let schemaVersion = 1
    public static let routingKey = "candidate.moved"

    public let candidateID: Int64
    public let from: String
    public let to: String

    public init(candidateID: Int64, from: String, to: String) {
        self.candidateID = candidateID
        self.from = from
        self.to = to
    }
}

/// A document someone asked for, to be rendered by the document-generation service.
public struct DocumentRequested: DomainEvent, Equatable {
    public static let eventType = "DocumentRequested"
    public static let schemaVersion = 1
    public static let routingKey = "document.requested"

    public enum Kind: String, Codable, Sendable {
        /// 报名流程表
        case registrationFlowForm = "registration_flow_form"
    }

    public let requestID: UUID
    public let kind: Kind
    public let candidateID: Int64
    public let requestedBy: Int64

    public init(requestID: UUID, kind: Kind, candidateID: Int64, requestedBy: Int64) {
        self.requestID = requestID
        self.kind = kind
        self.candidateID = candidateID
        self.requestedBy = requestedBy
    }
}
