import Contracts
import Foundation
import Testing

private struct ExampleHappened: DomainEvent, Equatable {
    static let eventType = "ExampleHappened"
    static let schemaVersion = 2
    var candidate: String
}

private struct OtherHappened: DomainEvent {
    static let eventType = "OtherHappened"
    static let schemaVersion = 1
    var candidate: String
}

@Suite struct ContractsTests {
    @Test func anEnvelopeRoundTripsWithItsIdTypeAndVersion() throws {
        let envelope = Envelope(event: ExampleHappened(candidate: "c-1"))
        let decoded = try Envelope<ExampleHappened>.decode(try envelope.encoded())
        #expect(decoded.id == envelope.id)
        #expect(decoded.type == "ExampleHappened")
        #expect(decoded.schemaVersion == 2)
        #expect(decoded.event == envelope.event)
    }

    @Test func anotherEventOrVersionIsRefusedNotMisread() throws {
        let other = try Envelope(event: OtherHappened(candidate: "c-1")).encoded()
        #expect(throws: ContractError.wrongType(expected: "ExampleHappened", found: "OtherHappened")) {
            try Envelope<ExampleHappened>.decode(other)
        }
        var json = try JSONSerialization.jsonObject(with: Data(try Envelope(event: ExampleHappened(candidate: "c")).encoded())) as! [String: Any]
        json["schemaVersion"] = 3
        let newer = Array(try JSONSerialization.data(withJSONObject: json))
        #expect(throws: ContractError.unsupportedVersion(type: "ExampleHappened", version: 3)) {
            try Envelope<ExampleHappened>.decode(newer)
        }
    }
}
