import Foundation
import Logging
import Messaging
import PostgresNIO
import ServiceLifecycle
import Settings
import Synchronization
import Testing

/// Fails every time for one message id; records how often each message was tried.
final class PoisonHandler: MessageHandler {
    let consumerName = "poison-test"
    let poison: String
    let attempts = Mutex<[String: Int]>([:])

    init(poison: String) { self.poison = poison }

    func handle(_ message: IncomingMessage, in transaction: PostgresConnection, logger: Logger) async throws {
        let id = message.messageID ?? ""
        attempts.withLock { $0[id, default: 0] += 1 }
        if id == poison { throw PoisonError() }
        try await transaction.query("INSERT INTO probe_effect (message_id) VALUES (\(id))", logger: logger)
    }
}

struct PoisonError: Error, CustomStringConvertible {
    var description: String { "the handler cannot read this message" }
}

/// Runs examctl against the test stack's broker; returns what it printed.
/// Runs examctl to its end, off the test pool (it blocks while the command runs).
func examctl(_ arguments: [String]) async throws -> String {
    try await offThePool { try examctlNow(arguments) }
}

private func examctlNow(_ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = TestStack.binDirectory.appendingPathComponent("examctl")
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(["AMQP_PORT": "\(TestStack.amqp.port)"]) { $1 }
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return text
}

@Suite struct RetryAndDeadLetterTests {
    @Test(.timeLimit(.minutes(2)))
    func aPoisonMessageIsDeadLetteredAfterExactlyTheConfiguredAttemptsWhileOthersFlow() async throws {
        try await MessagingFixture.run(retryDelays: [.milliseconds(100), .milliseconds(300)], maxAttempts: 4) { fixture in
            let broker = AMQPClient(settings: TestStack.amqp, topology: Topology(workQueues: [fixture.queue]), logger: TestStack.logger)
            defer { Task { await broker.close() } }
            let poison = UUID()
            let handler = PoisonHandler(poison: poison.uuidString.lowercased())
            // One message per transaction, so that each handler call is one delivery attempt.
            let consumer = QueueConsumer(
                queue: fixture.queue, handler: handler, concurrency: 4, batchSize: 1, settings: TestStack.amqp, postgres: fixture.client,
                logger: TestStack.logger)
            let group = ServiceGroup(configuration: .init(services: [consumer], logger: TestStack.logger))
            let running = Task { try await group.run() }

            try await broker.publish((0..<100).map { fixture.message($0) } + [fixture.message(100, id: poison)] + (101..<200).map { fixture.message($0) })
            // Generous: the whole suite runs in parallel on two cores.
            #expect(try await eventually(within: .seconds(60)) {
                try await broker.inspect(queue: fixture.queue.deadLetterQueue).messages == 1
            })
            #expect(try await fixture.effects() == (199, 199))
            #expect(handler.attempts.withLock { $0[poison.uuidString.lowercased()] } == 4)
            #expect(handler.attempts.withLock { $0.values.filter { $0 > 1 }.count } == 1)

            let dead = try #require(try await broker.get(queue: fixture.queue.deadLetterQueue))
            #expect(dead.messageID == poison.uuidString.lowercased())
            #expect(dead.headers["x-attempt"] == "4")
            #expect(dead.headers["x-last-error"] == "the handler cannot read this message")
            #expect(dead.headers["x-dead-lettered-from"] == fixture.queue.name)
            #expect(dead.body == Array("message 100".utf8))
            try await broker.reject(dead, requeue: true)
            await group.triggerGracefulShutdown()
            _ = try? await running.value

            // ops/dlq: shows it without its body, then sends it back with its attempts reset.
            let shown = try await examctl(["dlq", "show", fixture.queue.name])
            #expect(shown.contains("\(fixture.queue.deadLetterQueue): 1 message(s)"))
            #expect(shown.contains("id \(poison.uuidString.lowercased())"))
            #expect(shown.contains("attempts 4"))
            #expect(shown.contains("last error: the handler cannot read this message"))
            #expect(!shown.contains("message 100"))
            // Shown by taking and returning it: the broker counts it again a moment later.
            #expect(try await eventually(within: .seconds(10)) { try await broker.inspect(queue: fixture.queue.deadLetterQueue).messages == 1 })
            #expect(try await examctl(["dlq", "replay", fixture.queue.name]).contains("replayed 1 message(s)"))
            #expect(try await broker.inspect(queue: fixture.queue.deadLetterQueue).messages == 0)
            let replayed = try #require(try await broker.get(queue: fixture.queue.name))
            #expect(replayed.messageID == poison.uuidString.lowercased())
            #expect(replayed.headers["x-attempt"] == nil)
            try await broker.ack(replayed)
        }
    }

    @Test func aRedeliveredMessageChangesNothing() async throws {
        try await MessagingFixture.run { fixture in
            let broker = AMQPClient(settings: TestStack.amqp, topology: Topology(workQueues: [fixture.queue]), logger: TestStack.logger)
            defer { Task { await broker.close() } }
            let handler = PoisonHandler(poison: "none")
            let consumer = QueueConsumer(
                queue: fixture.queue, handler: handler, concurrency: 2, settings: TestStack.amqp, postgres: fixture.client,
                logger: TestStack.logger)
            let group = ServiceGroup(configuration: .init(services: [consumer], logger: TestStack.logger))
            let running = Task { try await group.run() }
            let id = UUID()
            // The same message three times, as a publisher retrying after a lost confirm would send
            // it: once alone, then twice in one batch.
            try await broker.publish([fixture.message(1, id: id)])
            try await broker.publish([fixture.message(1, id: id), fixture.message(1, id: id)])
            #expect(try await eventually(within: .seconds(10)) {
                try await broker.inspect(queue: fixture.queue.name).messages == 0 && handler.attempts.withLock { $0.count } == 1
            })
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await fixture.effects() == (1, 1))
            await group.triggerGracefulShutdown()
            _ = try? await running.value
        }
    }
}
