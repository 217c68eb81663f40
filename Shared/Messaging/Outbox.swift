import Contracts
import Foundation
import Logging
import PostgresNIO

/// An event to be published once the transaction that wrote it commits.
public struct OutboxEvent: Sendable {
    public let messageID: UUID
    /// The thing the event is about (a candidate, a point, ...): its events leave in order.
    public let aggregateID: String
    public let eventType: String
    public let schemaVersion: Int
    /// The routing key on `exam.events`, which queues bind to.
    public let routingKey: String
    public let payload: [UInt8]

    public init<Event: DomainEvent>(_ envelope: Envelope<Event>, aggregateID: String, routingKey: String) throws {
        self.messageID = envelope.id
        self.aggregateID = aggregateID
        self.eventType = envelope.type
        self.schemaVersion = envelope.schemaVersion
        self.routingKey = routingKey
        self.payload = try envelope.encoded()
    }
}

public enum Outbox {
    /// Writes the events in the caller's transaction: they are published if and only if it commits.
    /// Lock the aggregate's row before calling, so that its events are numbered in commit order.
    public static func append(_ events: [OutboxEvent], in transaction: PostgresConnection, logger: Logger) async throws {
        guard !events.isEmpty else { return }
        // One statement for the whole batch: a bulk import writes thousands at once.
        try await transaction.query(
            """
            INSERT INTO outbox_event (message_id, aggregate_id, event_type, schema_version, routing_key, payload)
            SELECT * FROM unnest(\(events.map(\.messageID))::uuid[], \(events.map(\.aggregateID))::text[], \(events.map(\.eventType))::text[],
                                 \(events.map(\.schemaVersion))::int[], \(events.map(\.routingKey))::text[],
                                 \(events.map { ByteBuffer(bytes: $0.payload) })::bytea[])
            """, logger: logger)
    }
}
