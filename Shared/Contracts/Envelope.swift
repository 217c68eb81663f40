import Foundation

/// A fact one service tells the others. Each event type names itself and its schema version, so
/// that a consumer can refuse a version it does not understand instead of misreading it.
public protocol DomainEvent: Codable, Sendable {
    static var eventType: String { get }
    static var schemaVersion: Int { get }
}

/// What travels on the wire: the event with a unique id (consumers record it to apply an event
/// once), its type and version, and when it happened.
public struct Envelope<Event: DomainEvent>: Codable, Sendable {
    public var id: UUID
    public var type: String
    public var schemaVersion: Int
    public var occurredAt: Date
    public var event: Event

    public init(id: UUID = UUID(), occurredAt: Date = Date(), event: Event) {
        self.id = id
        self.type = Event.eventType
        self.schemaVersion = Event.schemaVersion
        self.occurredAt = occurredAt
        self.event = event
    }

    public func encoded() throws -> [UInt8] {
        Array(try Self.encoder.encode(self))
    }

    /// Decodes and checks that the message is this event in this version.
    public static func decode(_ bytes: [UInt8]) throws -> Envelope<Event> {
        let envelope = try decoder.decode(Envelope<Event>.self, from: Data(bytes))
        guard envelope.type == Event.eventType else { throw ContractError.wrongType(expected: Event.eventType, found: envelope.type) }
        guard envelope.schemaVersion == Event.schemaVersion else {
            throw ContractError.unsupportedVersion(type: envelope.type, version: envelope.schemaVersion)
        }
        return envelope
    }

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = .sortedKeys
        return encoder
    }

    private static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}

public enum ContractError: Error, Equatable {
    case wrongType(expected: String, found: String)
    case unsupportedVersion(type: String, version: Int)
}
