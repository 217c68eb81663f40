import Foundation
import FoundationNetworking
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Payments
import PostgresNIO
import ServiceLifecycle
import Settings
import Storage
import Testing
import _CryptoExtras

@testable import PaymentCallbackService

/// Payments that survive what goes wrong: notifications that never come, a worker killed mid-load.
@Suite(.serialized) struct PaymentRecoveryTests {
    /// `count` confirmed candidates with an open order each, made directly in the database (the
    /// payment path reads nothing else of them); their ids and order numbers.
    static func confirmedWithOrders(_ count: Int, provider: String, _ fixture: AccessFixture) async throws -> [(id: Int64, order: String)] {
        try await confirmedWithOrders(count, provider: provider, on: fixture.postgres)
    }

    static func confirmedWithOrders(_ count: Int, provider: String, on postgres: PostgresClient) async throws -> [(id: Int64, order: String)] {
        let tag = UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(10).uppercased()
        let rows = try await postgres.query(
            """
            WITH made AS (
                INSERT INTO candidate_account (document_type, document_number_sealed, document_number_lookup, document_number_masked, name,
                    phone_sealed, phone_masked, personal_data_key_id, password_hash, organisation_node_id, status)
                SELECT 'resident_id', decode(md5(random()::text), 'hex'), decode(md5(random()::text || clock_timestamp()::text) || md5(random()::text), 'hex'), '430102********0000', '缴费测试', decode(md5(random()::text), 'hex'), '137****0000',
                       'test', NULL, '430102', 'confirmed'
                FROM generate_series(1, \(count))
                RETURNING id
            )
            INSERT INTO payment_order (order_no, candidate_id, year, provider, amount_fen, expires_at)
            SELECT 'K' || \(String(tag)) || lpad(row_number() OVER (ORDER BY id)::text, 6, '0'), id, \(ExamYearSetup.year), \(provider), 14500, now() + interval '30 minutes'
            FROM made
            RETURNING candidate_id, order_no
            """, logger: TestStack.logger)
        var made: [(Int64, String)] = []
        for try await row in rows.decode((Int64, String).self) { made.append(row) }
        return made
    }

    static func paidCount(_ ids: [Int64], _ fixture: AccessFixture) async throws -> (paid: Int, transitions: Int, events: Int) {
        try await paidCount(ids, on: fixture.postgres)
    }

    static func paidCount(_ ids: [Int64], on postgres: PostgresClient) async throws -> (paid: Int, transitions: Int, events: Int) {
        try await postgres.query(
            """
            SELECT (SELECT count(*)::int FROM candidate_account WHERE id = ANY(\(ids)) AND status = 'paid'),
                   (SELECT count(*)::int FROM candidate_transition WHERE candidate_id = ANY(\(ids)) AND to_status = 'paid'),
                   (SELECT count(*)::int FROM outbox_event WHERE event_type = 'PaymentCompleted'
                      AND aggregate_id = ANY(\(ids.map { "candidate-\($0)" })))
            """, logger: TestStack.logger
        ).decode((Int, Int, Int).self).first { _ in true } ?? (-1, -1, -1)
    }

    /// The simulator (ops/payment-sim) on a port of its own, notifying through the gateway.
    static func startSimulator(port: Int) async throws -> Process {
        let process = spawnable("/usr/bin/python3", [TestStack.repository.appendingPathComponent("ops/payment-sim/simulator.py").path])
        process.environment = ProcessInfo.processInfo.environment.merging([
            "PORT": "\(port)", "KEYS_DIR": TestProviders.directory.path,
            "CALLBACK_URL": (TestStack.environment["EXAM_GATEWAY_URL"] ?? "http://127.0.0.1:28080") + "/callbacks/payment",
            "WECHAT_API_V3_KEY": TestProviders.settings["WECHAT_API_V3_KEY"]!, "PAYMENT_SIM_WECHAT_SERIAL": TestProviders.wechatSerial,
        ]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        #expect(try await eventually(within: .seconds(10)) { portIsOpen(port) })
        return process
    }

    static func post(_ url: String, _ body: [String: Any]) async throws -> Int {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONSerialization.data(withJSONObject: body)
        let (_, response) = try await URLSession.shared.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }

    /// The active query is signed with our keys, as the providers require: the simulator answers
    /// ours, and refuses a query signed with another key or naming another merchant certificate
    /// (the query fails and is asked again later; nothing is taken as unpaid).
    @Test func queriesAreSignedWithOurKeysAndOthersAreRefused() async throws {
        let port = unusedPort()
        let simulator = try await Self.startSimulator(port: port)
        defer { simulator.stop() }
        let base = "http://127.0.0.1:\(port)"
        let order = "Q" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(15).uppercased()
        for provider in ["alipay", "wechat"] {
            #expect(try await Self.post("\(base)/pay", ["provider": provider, "order": order, "amount": "145.00"]) == 200)
        }
        func queries(_ changes: [String: String]) throws -> ProviderQueries {
            let environment = AccessFixture.environment.merging(["PAYMENT_PROVIDER_URL": base]) { $1 }.merging(changes) { $1 }
            return ProviderQueries(settings: try PaymentSettings(reader: SettingsReader(arguments: ["tests"], environment: environment)))
        }
        let strangersKey = Data(try _RSA.Signing.PrivateKey(keySize: .bits2048).pemRepresentation.utf8).base64EncodedString()
        let ours = try queries([:])
        for provider in [PaymentProvider.alipay, .wechat] {
            guard case .trade(let answer) = try await ours.query(provider, orderNo: order) else {
                Issue.record("\(provider): no trade found for a paid order")
                continue
            }
            #expect(answer.kind == .paid && answer.amountFen == 14_500 && answer.orderNo == order)
        }
        let forged: [(PaymentProvider, [String: String], String)] = [
            (.alipay, ["ALIPAY_APP_PRIVATE_KEY": strangersKey], "alipay.query_failed"),
            (.alipay, ["ALIPAY_APP_ID": "2021000000000999"], "alipay.query_failed"),
            (.wechat, ["WECHAT_MERCHANT_PRIVATE_KEY": strangersKey], "wechat.query_failed"),
            (.wechat, ["WECHAT_MERCHANT_SERIAL": "0000000000000000000000000000000000000000"], "wechat.query_failed"),
        ]
        for (provider, changes, code) in forged {
            let refusal = await #expect(throws: NotificationRefusal.self, "\(changes.keys)") { try await queries(changes).query(provider, orderNo: order) }
            #expect(refusal?.code == code, "\(changes.keys)")
        }
    }

    /// Every notification dropped: the active query still ends every order in `paid`. In a
    /// database of its own: the query goes through open orders oldest first, and the shared one
    /// holds other tests' orders.
    @Test func withEveryNotificationLostTheActiveQueryStillMarksOrdersPaid() async throws {
        let migrations = try MigrationCatalog.load(repositoryRoot: TestStack.repository)
        let port = unusedPort()
        let simulator = try await Self.startSimulator(port: port)
        defer { simulator.stop() }
        try await withScratchDatabase { database in
            try await withPostgres(database) { postgres in
                _ = try await Migrator(migrations: migrations, logger: TestStack.logger).apply(on: postgres)
                try await postgres.query(
                    """
                    INSERT INTO organisation_node (id, kind, name, parent_id, path) VALUES
                        ('43', 'province', '湖南省', NULL, '43'), ('4301', 'city', '长沙市', '43', '43.4301'), ('430102', 'county', '芙蓉区', '4301', '43.4301.430102')
                    """, logger: TestStack.logger)
                let base = "http://127.0.0.1:\(port)"
                #expect(try await Self.post("\(base)/control", ["drop": true]) == 200)
                let alipay = try await Self.confirmedWithOrders(5, provider: "alipay", on: postgres)
                let wechat = try await Self.confirmedWithOrders(5, provider: "wechat", on: postgres)
                for (provider, orders) in [("alipay", alipay), ("wechat", wechat)] {
                    for (_, order) in orders {
                        #expect(try await Self.post("\(base)/pay", ["provider": provider, "order": order, "amount": "145.00"]) == 200)
                    }
                }
                let reader = SettingsReader(
                    arguments: ["tests"], environment: AccessFixture.environment.merging(["PAYMENT_PROVIDER_URL": base, "PAYMENT_QUERY_AFTER": "1"]) { $1 })
                let settings = try PaymentSettings(reader: reader)
                let followUp = OrderFollowUp(
                    postgres: postgres, queries: ProviderQueries(settings: settings),
                    inbox: NotificationInbox(settings: settings, postgres: postgres, logger: TestStack.logger),
                    queryAfter: settings.queryAfter, interval: .milliseconds(200), logger: TestStack.logger)
                let applier = NotificationApplier(postgres: postgres, logger: TestStack.logger)
                let ids = (alipay + wechat).map(\.id)
                let group = ServiceGroup(configuration: .init(services: [followUp, applier], logger: TestStack.logger))
                let running = Task { try await group.run() }
                let allPaid = try await eventually(within: .seconds(60)) { try await Self.paidCount(ids, on: postgres).paid == 10 }
                await group.triggerGracefulShutdown()
                _ = try? await running.value
                #expect(allPaid)
                let counts = try await Self.paidCount(ids, on: postgres)
                #expect(counts.transitions == 10 && counts.events == 10, "\(counts)")
                let sources = try await postgres.query(
                    "SELECT count(*)::int FROM payment_notification WHERE source = 'query'", logger: TestStack.logger
                ).decode(Int.self).first { _ in true }
                #expect(sources == 10, "every payment learned by query, none by notification")
            }
        }
    }

    /// kill -9 of the payment worker while it applies a stream of notifications, then a new one:
    /// every payment applied, none twice.
    @Test func aKilledPaymentWorkerLosesNothingAndAppliesNothingTwice() async throws {
        try await AccessFixture.with { fixture in
            try await ExamYearSetup.shared.ensure(fixture)
            let orders = try await Self.confirmedWithOrders(1500, provider: "alipay", fixture)
            let ids = orders.map(\.id)
            let bodies = orders.map { TestProviders.alipay(order: $0.order, trade: "2026K" + $0.order, amountFen: 14_500) }

            func startWorker() throws -> Process {
                let process = spawnable(TestStack.binDirectory.appendingPathComponent("PaymentCallback").path, [])
                process.environment = ProcessInfo.processInfo.environment.merging(
                    AccessFixture.environment.merging(["ROLE": "worker", "HTTP_PORT": "\(unusedPort())", "LOG_LEVEL": "warning"]) { $1 }) { $1 }
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                try process.run()
                return process
            }
            let first = try startWorker()
            // The notifications arrive while the worker applies them (each sent twice).
            let sending = Task {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for lane in 0..<8 {
                        group.addTask {
                            for index in stride(from: lane, to: bodies.count, by: 8) {
                                for _ in 0..<2 {
                                    let answer = try await PaymentTests.notify("alipay", bodies[index], fixture)
                                    #expect(answer.text == "success")
                                }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            let midway = try await eventually(within: .seconds(120)) { try await Self.paidCount(ids, fixture).paid >= 200 }
            #expect(midway)
            kill(first.processIdentifier, SIGKILL)
            _ = try await offThePool { first.waitUntilExit() }
            let atKill = try await Self.paidCount(ids, fixture).paid
            try await sending.value
            let second = try startWorker()
            let done = try await eventually(within: .seconds(120)) { try await Self.paidCount(ids, fixture).paid == ids.count }
            second.terminate()
            _ = try await offThePool { second.waitUntilExit() }
            #expect(done)
            #expect(atKill < ids.count, "killed before the end (\(atKill) applied)")
            let counts = try await Self.paidCount(ids, fixture)
            #expect(counts == (ids.count, ids.count, ids.count), "\(counts)")
            let transactions = try await fixture.postgres.query(
                "SELECT count(*)::int FROM payment_transaction WHERE order_no = ANY(\(orders.map(\.order))) AND disposition = 'applied'", logger: TestStack.logger
            ).decode(Int.self).first { _ in true }
            #expect(transactions == ids.count)
        }
    }
}
