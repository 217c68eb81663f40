import Foundation

/// A point uploaded a batch of paper draft forms (信息采集草表); the registration worker imports
/// it row by row. The file itself stays in the database (it holds personal data).
public struct PaperFormBatchUploaded: DomainEvent, Equatable {
    public static let eventType = "PaperFormBatchUploaded"
    public static let schemaVersion = 1
    public static let routingKey = "paper_form.uploaded"

    /// The column the file is sealed under: the uploader seals, the importer opens.
    public static let sealedFileColumn = "paper_form_batch.file"

    public let batchID: UUID
    public let confirmationPointID: String

    public init(batchID: UUID, confirmationPointID: String) {
        self.batchID = batchID
        self.confirmationPointID = confirmationPointID
    }
}
