import Foundation
import Messaging
import PostgresNIO
import Testing

/// Consumers are killed with SIGKILL every two seconds while 10,000 messages flow.
@Suite struct ConsumerCrashTests {
    @Test(.timeLimit(.minutes(4)))
    func killedConsumersLoseNothingAndApplyNothingTwice() async throws {
        try await MessagingFixture.run { fixture in
            let broker = AMQPClient(settings: TestStack.amqp, topology: Topology(workQueues: [fixture.queue]), logger: TestStack.logger)
            defer { Task { await broker.close() } }
            let total = 10_000
            for batch in stride(from: 0, to: total, by: 500) {
                try await broker.publish((batch..<batch + 500).map { fixture.message($0) })
            }
            var consumers = try (0..<2).map { _ in
                try startProbe(["consume", fixture.queue.name, fixture.queue.bindingKeys[0]], database: fixture.database)
            }
            var kills = 0
            let deadline = ContinuousClock.now + .seconds(150)
            while try await fixture.effects().distinct < total, ContinuousClock.now < deadline {
                try await Task.sleep(for: .seconds(2))
                let victim = Int.random(in: 0..<consumers.count)
                kill(consumers[victim].processIdentifier, SIGKILL)
                consumers[victim].waitUntilExit()
                kills += 1
                consumers[victim] = try startProbe(["consume", fixture.queue.name, fixture.queue.bindingKeys[0]], database: fixture.database)
            }
            // Let the survivors settle what they hold, then stop them.
            try await Task.sleep(for: .seconds(1))
            for consumer in consumers { consumer.terminate() }
            for consumer in consumers { consumer.waitUntilExit() }

            let effects = try await fixture.effects()
            #expect(kills >= 2, "the consumers must have been killed while working")
            #expect(effects.distinct == total, "lost messages")
            #expect(effects.total == total, "duplicated effects")
            #expect(try await fixture.scalar("SELECT count(*)::int FROM processed_message") == total)
            #expect(try await broker.inspect(queue: fixture.queue.deadLetterQueue).messages == 0)
            print("consumer crash test: \(kills) kills, \(total) messages, \(effects.total) effects")
        }
    }
}
