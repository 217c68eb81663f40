import Foundation

/// The province asked for a numbering run; the Arrangement worker does it.
public struct NumberingRequested: DomainEvent, Equatable {
    public static let eventType = "NumberingRequested"
    public static let schemaVersion = 1
    public static let routingKey = "numbering.requested"

    public let runID: UUID
    public let year: Int

    public init(runID: UUID, year: Int) {
        self.runID = runID
        self.year = year
    }
}

/// The province published a numbering run with every district's rooms allocated to sites: the
/// admission tickets and site materials of its candidates can be made. Consumers read the run's
/// tickets and rooms from the Arrangement's tables.
public struct ArrangementPublished: DomainEvent, Equatable {
    public static let eventType = "ArrangementPublished"
    public static let schemaVersion = 1
    public static let routingKey = "arrangement.published"

    public let runID: UUID
    public let year: Int
    public let digest: String

    public init(runID: UUID, year: Int, digest: String) {
        self.runID = runID
        self.year = year
        self.digest = digest
    }
}

/// After publication, a correction changed where these candidates sit (their ticket, their
/// room's site): their admission tickets must be made again.
public struct AdmissionTicketsChanged: DomainEvent, Equatable {
    public static let eventType = "AdmissionTicketsChanged"
    public static let schemaVersion = 1
    public static let routingKey = "admission_ticket.changed"

    public let runID: UUID
    public let correctionID: Int64
    public let candidateIDs: [Int64]

    public init(runID: UUID, correctionID: Int64, candidateIDs: [Int64]) {
        self.runID = runID
        self.correctionID = correctionID
        self.candidateIDs = candidateIDs
    }
}
