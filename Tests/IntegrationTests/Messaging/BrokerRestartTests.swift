import Foundation
import Messaging
import PostgresNIO
import Settings
import Synchronization
import Testing

/// A RabbitMQ node of this test's own (started by ops/lib/stack.sh), so that stopping it
/// disturbs no other test.
struct PrivateBroker {
    let directory: URL
    let port: Int

    init() {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("broker-\(UUID().uuidString.prefix(8))")
        port = unusedPorts(3)  // AMQP, Erlang distribution, epmd
    }

    func start() throws { try stack("start_rabbitmq") }
    func stop() throws { try stack("stop_rabbitmq") }

    private func stack(_ function: String) throws {
        let script = TestStack.repository.appendingPathComponent("ops/lib/stack.sh").path
        let process = spawnable("/bin/bash", ["-c", "source '\(script)' && mkdir -p \"$PIDS\" \"$LOGS\" && \(function)"])
        process.environment = ProcessInfo.processInfo.environment.merging([
            "EXAM_STACK": "broker\(port)", "STACK_DIR": directory.path, "AMQP_PORT": "\(port)",
            "AMQP_DIST_PORT": "\(port + 1)", "ERL_EPMD_PORT": "\(port + 2)",
            "AMQP_USER": TestStack.amqp.user, "AMQP_PASSWORD": TestStack.amqp.password,
        ]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BrokerFailed(step: function) }
    }

    struct BrokerFailed: Error { let step: String }
}

@Suite struct BrokerRestartTests {
    @Test(.timeLimit(.minutes(3)))
    func publishersAndConsumersReconnectAndNothingConfirmedIsLost() async throws {
        let broker = PrivateBroker()
        try await offThePool { try broker.start() }
        defer {
            try? broker.stop()
            try? FileManager.default.removeItem(at: broker.directory)
        }
        var amqp = TestStack.amqp
        amqp.port = broker.port
        let settings = amqp
        try await MessagingFixture.run { fixture in
            let publisher = AMQPClient(settings: settings, topology: Topology(workQueues: [fixture.queue]), logger: TestStack.logger)
            defer { Task { await publisher.close() } }
            try await publisher.ping()
            let consumer = try startProbe(["consume", fixture.queue.name, fixture.queue.bindingKeys[0]], database: fixture.database, amqpPort: broker.port)
            defer { consumer.stop() }

            // Publishes batches of 50 until told to stop, retrying a batch until it is confirmed,
            // so the broker goes down mid-stream however long stopping it takes on a loaded machine.
            let confirmed = Mutex<Set<String>>([])
            let failures = Mutex(0)
            let stop = Mutex(false)
            let publishing = Task {
                var batch = 0
                while !stop.withLock({ $0 }) {
                    let messages = (batch..<batch + 50).map { fixture.message($0) }
                    while true {
                        do {
                            try await publisher.publish(messages)
                            confirmed.withLock { $0.formUnion(messages.map(\.messageID)) }
                            break
                        } catch {
                            failures.withLock { $0 += 1 }
                            try await Task.sleep(for: .milliseconds(200))
                        }
                    }
                    batch += 50
                    try await Task.sleep(for: .milliseconds(60))
                }
            }
            try await Task.sleep(for: .seconds(1))
            try await offThePool { try broker.stop() }
            // Down until the publisher has felt it.
            #expect(try await eventually(within: .seconds(30)) { failures.withLock { $0 } > 0 })
            try await offThePool { try broker.start() }
            // Up again until more batches went through, then the stream ends.
            let confirmedAtRestart = confirmed.withLock { $0.count }
            #expect(try await eventually(within: .seconds(60)) { confirmed.withLock { $0.count } >= confirmedAtRestart + 1_000 })
            stop.withLock { $0 = true }
            try await publishing.value

            let expected = confirmed.withLock { $0 }
            #expect(expected.count >= 1_000)
            #expect(failures.withLock { $0 } > 0, "the broker must have been down while publishing")
            #expect(try await eventually(within: .seconds(60)) { try await fixture.effects().distinct == expected.count })
            let effects = try await fixture.effects()
            #expect(effects.total == effects.distinct, "an effect was applied twice")
            var applied = Set<String>()
            for try await id in try await fixture.client.query("SELECT message_id FROM probe_effect", logger: TestStack.logger).decode(String.self) {
                applied.insert(id)
            }
            #expect(expected.isSubset(of: applied), "a confirmed message was lost")
        }
    }
}
