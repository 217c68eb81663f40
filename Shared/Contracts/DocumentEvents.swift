import Foundation

/// Admission tickets to draw: the document worker's own work, cut into batches when an
/// arrangement is published or corrected, so that every worker process takes a share.
public struct AdmissionTicketBatchDue: DomainEvent, Equatable {
    public static let eventType = "AdmissionTicketBatchDue"
    public static let schemaVersion = 1
    public static let routingKey = "document.tickets_due"

    public let runID: UUID
    public let candidateIDs: [Int64]

    public init(runID: UUID, candidateIDs: [Int64]) {
        self.runID = runID
        self.candidateIDs = candidateIDs
    }
}

/// One room of a site pack a county asked for (door sheet, seat labels, sign-in sheets); the
/// worker that draws the last room of the pack stores the pack.
public struct SitePackRoomDue: DomainEvent, Equatable {
    public static let eventType = "SitePackRoomDue"
    public static let schemaVersion = 1
    public static let routingKey = "document.site_pack_room"

    public let packID: UUID
    public let districtCode: String
    public let room: Int

    public init(packID: UUID, districtCode: String, room: Int) {
        self.packID = packID
        self.districtCode = districtCode
        self.room = room
    }
}
