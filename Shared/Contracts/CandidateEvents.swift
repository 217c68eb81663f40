import Foundation

/// A candidate submitted (or, before confirmation, re-submitted) their registration. No
/// personal data: consumers that need more read it where it is kept.
public struct CandidateSubmitted: DomainEvent, Equatable {
    public static let eventType = "CandidateSubmitted"
    public static let schemaVersion = 1
    public static let routingKey = "candidate.submitted"

    public let candidateID: Int64
    public let year: Int
    public let confirmationPointID: String
    /// The level and subject category of each choice, in order.
    public let choices: [Choice]
    /// Increases with every save, so a consumer can tell a later submission from an earlier one.
    public let revision: Int

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

    public init(candidateID: Int64, year: Int, confirmationPointID: String, choices: [Choice], revision: Int) {
        self.candidateID = candidateID
        self.year = year
        self.confirmationPointID = confirmationPointID
        self.choices = choices
        self.revision = revision
    }
}
