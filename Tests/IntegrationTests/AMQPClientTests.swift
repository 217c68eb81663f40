import Foundation
import Messaging
import Settings
import Testing

@Suite struct AMQPClientTests {
    private func withBroker<T: Sendable>(
        _ settings: AMQPSettings = TestStack.amqp, topology: Topology = Topology(), _ body: (AMQPClient) async throws -> T
    ) async throws -> T {
        let client = AMQPClient(settings: settings, topology: topology, logger: TestStack.logger)
        // The test's queues go with it: idle quorum queues left behind slow the broker down.
        func finish() async {
            try? await client.delete(queues: topology.queues.map(\.name))
            await client.close()
        }
        do {
            let result = try await body(client)
            await finish()
            return result
        } catch {
            await finish()
            throw error
        }
    }

    /// A direct exchange and a quorum queue of this test's own, bound by `key`.
    private func topology(_ name: String) -> Topology {
        Topology(
            exchanges: [ExchangeDeclaration(name: "test.\(name)", kind: .direct)],
            queues: [.quorum("test.\(name)")],
            bindings: [BindingDeclaration(queue: "test.\(name)", exchange: "test.\(name)", routingKey: "key")])
    }

    private func message(_ name: String, _ index: Int, body: [UInt8]) -> OutgoingMessage {
        OutgoingMessage(
            exchange: "test.\(name)", routingKey: "key", messageID: "m-\(index)", type: "TestMessage", body: body,
            headers: ["x-index": "\(index)"])
    }

    @Test func publishedBatchesComeBackIntactAndOnce() async throws {
        let name = UUID().uuidString
        try await withBroker(topology: topology(name)) { broker in
            let bodies = (0..<200).map { index -> [UInt8] in [0, 0xFF, 13, 10] + Array("消息 \(index)".utf8) }
            // Two batches, each confirmed as a whole.
            try await broker.publish(bodies.prefix(100).enumerated().map { message(name, $0.offset, body: $0.element) })
            try await broker.publish(bodies.dropFirst(100).enumerated().map { message(name, $0.offset + 100, body: $0.element) })
            var received: [Int: [UInt8]] = [:]
            while let incoming = try await broker.get(queue: "test.\(name)") {
                let index = Int(incoming.headers["x-index"] ?? "") ?? -1
                #expect(incoming.messageID == "m-\(index)")
                #expect(incoming.type == "TestMessage")
                #expect(received[index] == nil)
                received[index] = incoming.body
                try await broker.ack(incoming)
            }
            #expect(received.count == 200)
            #expect((0..<200).allSatisfy { received[$0] == bodies[$0] })
        }
    }

    @Test func aMessageNoQueueTakesIsAnErrorNotALoss() async throws {
        let name = UUID().uuidString
        try await withBroker(topology: topology(name)) { broker in
            var lost = message(name, 1, body: Array("x".utf8))
            lost.routingKey = "no-such-binding"
            let error = await #expect(throws: AMQPError.self) { try await broker.publish([lost]) }
            #expect(error?.code == .unroutable)
            #expect(error?.message.contains("m-1") == true)
            // The connection is still good for the next publish.
            try await broker.publish([message(name, 2, body: Array("y".utf8))])
            let incoming = try #require(try await broker.get(queue: "test.\(name)"))
            #expect(incoming.messageID == "m-2")
            try await broker.ack(incoming)
        }
    }

    @Test func aRefusedDeclarationIsReportedAndTheClientCarriesOn() async throws {
        let name = UUID().uuidString
        try await withBroker(topology: topology(name)) { broker in
            // The same queue as a classic queue: the broker refuses and closes the channel.
            let error = await #expect(throws: AMQPError.self) {
                try await broker.declare(Topology(queues: [QueueDeclaration(name: "test.\(name)", arguments: ["x-queue-type": .string("classic")])]))
            }
            #expect(error?.code == .refused)
            #expect(error?.message.contains("PRECONDITION_FAILED") == true)
            try await broker.publish([message(name, 3, body: [1, 2, 3])])
            let incoming = try #require(try await broker.get(queue: "test.\(name)"))
            #expect(incoming.body == [1, 2, 3])
            try await broker.ack(incoming)
        }
    }

    @Test func aRejectedMessageComesBackMarkedRedelivered() async throws {
        let name = UUID().uuidString
        try await withBroker(topology: topology(name)) { broker in
            try await broker.publish([message(name, 4, body: [4])])
            let first = try #require(try await broker.get(queue: "test.\(name)"))
            #expect(!first.redelivered)
            try await broker.reject(first, requeue: true)
            let second = try #require(try await broker.get(queue: "test.\(name)"))
            #expect(second.redelivered)
            #expect(second.messageID == "m-4")
            try await broker.ack(second)
            #expect(try await broker.get(queue: "test.\(name)") == nil)
        }
    }

    /// The broker closes a connection that misses two heartbeats; the client's run loop keeps an
    /// idle one alive, so a message taken before a long pause can still be acknowledged after it.
    @Test func anIdleConnectionSurvivesItsHeartbeatTimeout() async throws {
        let name = UUID().uuidString
        var settings = TestStack.amqp
        // The broker gives up after two silent periods: 4 s here; the pause is longer. (1 s periods
        // were too short for a busy CI machine to keep, even with four visits per period.)
        settings.heartbeatSeconds = 2
        let broker = AMQPClient(settings: settings, topology: topology(name), logger: TestStack.logger)
        let running = Task { try await broker.run() }
        defer { running.cancel() }
        try await broker.publish([message(name, 5, body: [5])])
        let taken = try #require(try await broker.get(queue: "test.\(name)"))
        try await Task.sleep(for: .seconds(6))
        try await broker.ack(taken)
        #expect(try await broker.get(queue: "test.\(name)") == nil)
        await broker.close()
    }

    @Test func aBrokerThatIsDownGivesAClearError() async throws {
        var settings = TestStack.amqp
        settings.port = unusedPort()
        try await withBroker(settings) { broker in
            let error = await #expect(throws: AMQPError.self) { try await broker.ping() }
            #expect(error?.code == .unavailable)
            #expect(error?.message.contains("cannot connect to 127.0.0.1:\(settings.port)") == true)
        }
    }

    @Test func wrongCredentialsAreRefused() async throws {
        var settings = TestStack.amqp
        settings.password = "wrong"
        try await withBroker(settings) { broker in
            let error = await #expect(throws: AMQPError.self) { try await broker.ping() }
            #expect(error?.message.contains("login") == true)
        }
    }
}
