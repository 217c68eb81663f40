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

    public init(id: UUID = .random(), occurredAt: Date = Date(), event: Event) {
        self.id = id
        self.type = Event.eventType
        self.schemaVersion = Event.schemaVersion
        self.occurredAt = occurredAt
        self.event = event
    }

    public func encoded() throws -> [UInt8] {
        Array(try EnvelopeCoding.encoder.encode(self))
    }

    /// Decodes and checks that the message is this event in this version.
    public static func decode(_ bytes: [UInt8]) throws -> Envelope<Event> {
        let envelope = try EnvelopeCoding.decoder.decode(Envelope<Event>.self, from: Data(bytes))
        guard envelope.type == Event.eventType else { throw ContractError.wrongType(expected: Event.eventType, found: envelope.type) }
        guard envelope.schemaVersion == Event.schemaVersion else {
            throw ContractError.unsupportedVersion(type: envelope.type, version: envelope.schemaVersion)
        }
        return envelope
    }
}

/// One encoder and one decoder for every envelope (a generic type cannot hold them itself):
/// the payment worker made one per event.
enum EnvelopeCoding {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}

extension UUID {
    /// A random (version 4) UUID from the system's generator (`getrandom`). Foundation's `UUID()`
    /// opens, reads and closes /dev/urandom for each one: a twentieth of the payment worker's time.
    public static func random() -> UUID {
        var generator = SystemRandomNumberGenerator()
        var uuid: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &uuid) { bytes in
            bytes.storeBytes(of: generator.next() as UInt64, toByteOffset: 0, as: UInt64.self)
            bytes.storeBytes(of: generator.next() as UInt64, toByteOffset: 8, as: UInt64.self)
            bytes[6] = bytes[6] & 0x0F | 0x40  // version 4
            bytes[8] = bytes[8] & 0x3F | 0x80  // RFC 4122 variant
        }
        return UUID(uuid: uuid)
    }
}

public enum ContractError: Error, Equatable {
    case wrongType(expected: String, found: String)
    case unsupportedVersion(type: String, version: Int)
}
