import Foundation
import Messaging
import NIOCore
import PostgresNIO
import Testing

/// A candidate confirmed and then paid is told twice by SMS, by the test stack's registration
/// worker (which consumes `candidate.confirmed` and `payment.completed`), and no more when the
/// events come again.
@Suite struct CandidateNoticeTests {
    static func notices(_ candidateID: Int64, _ fixture: AccessFixture) async throws -> [(kind: String, text: String, sent: Bool, attempts: Int)] {
        var found: [(String, String, Bool, Int)] = []
        for try await row in try await fixture.postgres.query(
            "SELECT kind, text, sent_at IS NOT NULL, attempts FROM candidate_notice WHERE candidate_id = \(candidateID) ORDER BY created_at",
            logger: TestStack.logger
        ).decode((String, String, Bool, Int).self) { found.append(row) }
        return found.map { (kind: $0.0, text: $0.1, sent: $0.2, attempts: $0.3) }
    }

    /// The candidate's two events published again, as a broker redelivers them after a crash.
    static func publishAgain(_ candidateID: Int64, _ fixture: AccessFixture) async throws {
        let amqp = AMQPClient(settings: TestStack.amqp, topology: Topology(workQueues: SystemQueues.all), logger: TestStack.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await amqp.run() }
            defer { group.cancelAll() }
            var again: [OutgoingMessage] = []
            for try await (id, type, key, payload) in try await fixture.postgres.query(
                """
                SELECT message_id, event_type, routing_key, payload FROM outbox_event
                WHERE aggregate_id = \("candidate-\(candidateID)") AND event_type IN ('CandidateConfirmed', 'PaymentCompleted')
                """, logger: TestStack.logger
            ).decode((UUID, String, String, ByteBuffer).self) {
                again.append(OutgoingMessage(
                    exchange: Exchanges.events, routingKey: key, messageID: id.uuidString.lowercased(), type: type, body: Array(payload.readableBytesView)))
            }
            #expect(again.count == 2)
            try await amqp.publish(again)
        }
        await amqp.close()
    }

    /// Confirmed, then paid; a registration worker (which relays the events and consumes them) is
    /// killed with SIGKILL while at it, the events come again, and a second worker finishes: two
    /// notices, each sent, and no more.
    @Test func aConfirmedThenPaidCandidateGetsExactlyTwoNoticesThroughAKillAndARedelivery() async throws {
        try await MachineLoad.registrationWorkers.alone {
            try await AccessFixture.with { fixture in
                try await ExamYearSetup.shared.ensure(fixture)
                var (_, province) = try await fixture.signedInProvinceAdministrator()
                var (candidate, browser) = try await PaymentTests.confirmedCandidate(fixture, province: &province)
                let order = try await PaymentTests.order("alipay", fixture, as: &browser)
                #expect(try await PaymentTests.notify(
                    "alipay", TestProviders.alipay(order: order.orderNo, trade: "2026N\(UUID().uuidString.prefix(8))", amountFen: order.amount), fixture
                ).text == "success")
                try await PaymentTests.applyAll(fixture)
                let number = try #require(
                    try await fixture.postgres.query("SELECT candidate_number FROM candidate_confirmation WHERE candidate_id = \(candidate.id)", logger: TestStack.logger)
                        .decode(String.self).first { _ in true })

                let first = try PaperFormTests.startWorker()
                defer { first.stop() }
                try await Task.sleep(for: .milliseconds(Int.random(in: 500...2_500)))
                Foundation.kill(first.processIdentifier, SIGKILL)
                try await Self.publishAgain(candidate.id, fixture)
                let second = try PaperFormTests.startWorker()
                defer { second.stop() }

                let bothSent = try await eventually(within: .seconds(60)) {
                    try await Self.notices(candidate.id, fixture).filter(\.sent).count == 2
                }
                #expect(bothSent)
                // Give the repeats time to come through (other suites' events share the queue, so it
                // need not be empty): nothing more comes of them.
                let amqp = AMQPClient(settings: TestStack.amqp, topology: Topology(workQueues: SystemQueues.all), logger: TestStack.logger)
                _ = try await eventually(within: .seconds(15)) {
                    try await amqp.inspect(queue: SystemQueues.candidateNotices.name).messages == 0
                }
                await amqp.close()
                try await Task.sleep(for: .seconds(3))
                let notices = try await Self.notices(candidate.id, fixture)
                #expect(notices.map(\.kind).sorted() == ["confirmed", "paid"], "\(notices)")
                #expect(notices.allSatisfy { $0.sent }, "\(notices)")
                #expect(notices.first { $0.kind == "confirmed" }?.text.contains(number) == true, "the confirmation notice names the candidate number")
                _ = candidate
            }
        }
    }
}
