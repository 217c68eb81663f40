import Foundation
import Messaging
import PostgresNIO
import ServiceLifecycle
import Testing

@Suite struct OutboxRelayTests {
    /// The relay dies (exit, no cleanup) right after the broker confirmed a batch and before it
    /// marked the rows: they are published again, and the consumer applies each event once.
    @Test(.timeLimit(.minutes(2)))
    func aRelayDyingBetweenConfirmAndMarkLosesNothingAndDuplicatesNothing() async throws {
        try await MessagingFixture.run { fixture in
            let broker = AMQPClient(settings: TestStack.amqp, topology: Topology(workQueues: [fixture.queue]), logger: TestStack.logger)
            defer { Task { await broker.close() } }
            try await broker.ping()  // declares the queue before anything is published
            try await fixture.commitOutboxRows(1_000)
            let consumer = try startProbe(["consume", fixture.queue.name, fixture.queue.bindingKeys[0]], database: fixture.database)
            defer { consumer.stop() }

            var crashes = 0
            for _ in 0..<3 {
                let relay = try startProbe(["relay", "2"], database: fixture.database)
                relay.waitUntilExit()
                #expect(relay.terminationStatus == 99)
                crashes += 1
            }
            let relay = try startProbe(["relay"], database: fixture.database)
            defer { relay.stop() }
            #expect(try await eventually(within: .seconds(60)) { try await fixture.effects().distinct == 1_000 })
            try await Task.sleep(for: .milliseconds(500))
            let effects = try await fixture.effects()
            #expect(effects.total == 1_000, "an event was applied twice")
            #expect(try await fixture.scalar("SELECT count(*)::int FROM outbox_event WHERE published_at IS NULL") == 0)
            print("relay crash test: \(crashes) crashes after confirm, 1000 events, \(effects.total) effects")
        }
    }

    /// 16 writers commit in random order and at random lengths while two relays run: every row
    /// goes out, and each aggregate's events arrive in the order they were written.
    @Test(.timeLimit(.minutes(2)))
    func concurrentWritersAreAllPublishedInOrderPerAggregate() async throws {
        try await MessagingFixture.run { fixture in
            let broker = AMQPClient(settings: TestStack.amqp, topology: Topology(workQueues: [fixture.queue]), logger: TestStack.logger)
            defer { Task { await broker.close() } }
            try await broker.ping()
            let relays = (0..<2).map { _ in OutboxRelay(postgres: fixture.client, publisher: broker, batchSize: 50, logger: TestStack.logger) }
            let group = ServiceGroup(configuration: .init(services: relays, logger: TestStack.logger))
            let running = Task { try await group.run() }

            let writers = 16, transactionsEach = 25
            try await withThrowingTaskGroup(of: Void.self) { writersGroup in
                for writer in 0..<writers {
                    writersGroup.addTask {
                        for sequence in 0..<transactionsEach {
                            try await fixture.client.withTransaction(logger: TestStack.logger) { transaction in
                                // The aggregate's own row lock orders its events, as a service would do.
                                let aggregate = "writer-\(writer)"
                                try await transaction.query("SELECT pg_advisory_xact_lock(hashtext(\(aggregate)))", logger: TestStack.logger)
                                for part in 0..<Int.random(in: 1...3) {
                                    try await transaction.query(
                                        """
                                        INSERT INTO outbox_event (message_id, aggregate_id, event_type, schema_version, routing_key, payload)
                                        VALUES (\(UUID()), \(aggregate), 'ProbeEvent', 1, \(fixture.queue.bindingKeys[0]), \(ByteBuffer(string: "\(writer) \(sequence) \(part)")))
                                        """, logger: TestStack.logger)
                                }
                                try await Task.sleep(for: .milliseconds(Int.random(in: 0...40)))
                            }
                        }
                    }
                }
                try await writersGroup.waitForAll()
            }
            let written = try await fixture.scalar("SELECT count(*)::int FROM outbox_event")
            #expect(try await eventually(within: .seconds(30)) {
                try await fixture.scalar("SELECT count(*)::int FROM outbox_event WHERE published_at IS NULL") == 0
            })
            await group.triggerGracefulShutdown()
            _ = try? await running.value

            var lastSeen: [Int: (Int, Int)] = [:]
            var received = 0
            var outOfOrder = 0
            while let message = try await broker.get(queue: fixture.queue.name) {
                let parts = String(decoding: message.body, as: UTF8.self).split(separator: " ").compactMap { Int($0) }
                let (writer, position) = (parts[0], (parts[1], parts[2]))
                if let previous = lastSeen[writer], previous >= position { outOfOrder += 1 }
                lastSeen[writer] = position
                received += 1
                try await broker.ack(message)
            }
            #expect(received == written)
            #expect(outOfOrder == 0)
        }
    }

    /// Published events older than the retention go, a batch at a time, by one of two workers
    /// trimming at once; parked, unpublished and recently published events stay, whatever their age.
    @Test func publishedEventsPastTheRetentionAreDeletedAndNothingElse() async throws {
        try await MessagingFixture.run { fixture in
            func insert(_ aggregate: String, createdDaysAgo: Int, publishedDaysAgo: Int?, parked: Bool = false) async throws {
                try await fixture.client.query(
                    """
                    INSERT INTO outbox_event (message_id, aggregate_id, event_type, schema_version, routing_key, payload, created_at, published_at, parked_at)
                    VALUES (\(UUID()), \(aggregate), 'ProbeEvent', 1, 'probe', '\\x00'::bytea, now() - make_interval(days => \(createdDaysAgo)::int),
                            now() - make_interval(days => \(publishedDaysAgo)::int), CASE WHEN \(parked) THEN now() - make_interval(days => \(createdDaysAgo)::int) END)
                    """, logger: TestStack.logger)
            }
            for index in 0..<5 { try await insert("old-published-\(index)", createdDaysAgo: 40, publishedDaysAgo: 40) }
            try await insert("old-published-yesterday", createdDaysAgo: 40, publishedDaysAgo: 1)
            try await insert("old-parked", createdDaysAgo: 40, publishedDaysAgo: nil, parked: true)
            try await insert("old-unpublished", createdDaysAgo: 40, publishedDaysAgo: nil)
            try await insert("recent-published", createdDaysAgo: 1, publishedDaysAgo: 1)
            let workers = (0..<2).map { _ in MessageRetention(postgres: fixture.client, logger: TestStack.logger) }
            let cutoff = Date(timeIntervalSinceNow: -Double(MessageRetention.retention.components.seconds))

            async let first = workers[0].trimPublished(before: cutoff, batch: 2)
            async let second = workers[1].trimPublished(before: cutoff, batch: 2)
            #expect(try await first + second == 5)
            var remaining: [String] = []
            for try await aggregate in try await fixture.client.query("SELECT aggregate_id FROM outbox_event ORDER BY aggregate_id", logger: TestStack.logger)
                .decode(String.self) { remaining.append(aggregate) }
            #expect(remaining == ["old-parked", "old-published-yesterday", "old-unpublished", "recent-published"])
            #expect(try await workers[0].trimPublished(before: cutoff, batch: 2) == 0)
        }
    }

    /// Consumers' dedupe rows go once no copy of their message can arrive; newer ones stay.
    @Test func dedupeRowsPastTheirRetentionAreDeletedAndNewerOnesKept() async throws {
        try await MessagingFixture.run { fixture in
            try await fixture.client.query(
                """
                INSERT INTO processed_message (consumer, message_id, processed_at)
                SELECT 'old', gen_random_uuid(), now() - interval '40 days' FROM generate_series(1, 7)
                UNION ALL SELECT 'recent', gen_random_uuid(), now() - interval '1 day' FROM generate_series(1, 3)
                """, logger: TestStack.logger)
            let workers = (0..<2).map { _ in MessageRetention(postgres: fixture.client, logger: TestStack.logger) }
            let cutoff = Date(timeIntervalSinceNow: -Double(MessageRetention.retention.components.seconds))
            async let first = workers[0].trimProcessed(before: cutoff, batch: 2)
            async let second = workers[1].trimProcessed(before: cutoff, batch: 2)
            #expect(try await first + second == 7)
            var left: [String: Int] = [:]
            for try await (consumer, count) in try await fixture.client.query(
                "SELECT consumer, count(*)::int FROM processed_message GROUP BY consumer", logger: TestStack.logger
            ).decode((String, Int).self) { left[consumer] = count }
            #expect(left == ["recent": 3])
        }
    }

    @Test func anEventNoQueueTakesIsParkedNotLostAndDoesNotBlockOthers() async throws {
        try await MessagingFixture.run { fixture in
            let broker = AMQPClient(settings: TestStack.amqp, topology: Topology(workQueues: [fixture.queue]), logger: TestStack.logger)
            defer { Task { await broker.close() } }
            try await broker.ping()
            try await fixture.commitOutboxRows(5, aggregates: 1)
            try await fixture.client.query(
                """
                INSERT INTO outbox_event (message_id, aggregate_id, event_type, schema_version, routing_key, payload)
                VALUES (\(UUID()), 'aggregate-0', 'NobodyListens', 1, \(fixture.queue.name + ".unbound"), '\\x00'::bytea)
                """, logger: TestStack.logger)
            try await fixture.commitOutboxRows(5, aggregates: 1)
            let relay = OutboxRelay(postgres: fixture.client, publisher: broker, logger: TestStack.logger)
            let group = ServiceGroup(configuration: .init(services: [relay], logger: TestStack.logger))
            let running = Task { try await group.run() }
            #expect(try await eventually(within: .seconds(10)) {
                try await fixture.scalar("SELECT count(*)::int FROM outbox_event WHERE published_at IS NOT NULL") == 10
            })
            await group.triggerGracefulShutdown()
            _ = try? await running.value
            #expect(try await fixture.scalar("SELECT count(*)::int FROM outbox_event WHERE parked_at IS NOT NULL AND last_error LIKE 'unroutable%'") == 1)

            // An operator clears parked_at (the binding is fixed, say): the event is sent again.
            let binding = WorkQueue(name: fixture.queue.name + ".late", bindingKeys: [fixture.queue.name + ".unbound"])
            let fixed = AMQPClient(settings: TestStack.amqp, topology: Topology(workQueues: [binding]), logger: TestStack.logger)
            defer { Task { await fixed.close() } }
            try await fixed.ping()
            try await fixture.client.query("UPDATE outbox_event SET parked_at = NULL, last_error = NULL WHERE parked_at IS NOT NULL", logger: TestStack.logger)
            #expect(try await OutboxRelay(postgres: fixture.client, publisher: fixed, logger: TestStack.logger).relayOnce() == false)
            #expect(try await fixture.scalar("SELECT count(*)::int FROM outbox_event WHERE published_at IS NOT NULL") == 11)
            #expect(try await fixture.scalar("SELECT count(*)::int FROM outbox_pending") == 0)
        }
    }
}
