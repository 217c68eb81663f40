import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Payments
import PostgresNIO
import Testing
import _CryptoExtras

@testable import PaymentCallbackService

/// Online payment: provider notifications verified, stored once, applied once.
@Suite struct PaymentTests {
    /// A candidate confirmed at TP430102A, signed in; and the fee the year asks.
    static func confirmedCandidate(_ fixture: AccessFixture, province: inout Browser) async throws -> (Candidate, Browser) {
        var (candidate, browser) = try await fixture.signedInCandidate(county: "430102")
        _ = try await fixture.send(.post, "/registration/pledge", ["version": "\(ExamYearSetup.year)-1"], as: &browser)
        #expect(try await fixture.send(.post, "/registration/submit", ExamYearSetup.form(for: candidate), as: &browser).status == .ok)
        var (_, operatorBrowser) = try await fixture.signedInStaff(at: "TP430102A", roles: ["point_operator"], approvedBy: &province)
        #expect(try await fixture.capturePhoto(of: candidate.id, as: operatorBrowser).status == .ok)
        let confirmed = try await fixture.send(.post, "/staff/confirmations", ["documentNumber": candidate.number], as: &operatorBrowser)
        #expect(confirmed.status == .ok, "\(confirmed.text)")
        return (candidate, browser)
    }

    static func order(_ provider: String, _ fixture: AccessFixture, as browser: inout Browser) async throws -> (orderNo: String, amount: Int) {
        let ordered = try await fixture.send(.post, "/orders", ["provider": provider], as: &browser)
        #expect(ordered.status == .created, "\(ordered.text)")
        return (try #require(ordered.json["orderNo"] as? String), Int(ordered.int("amountFen")))
    }

    /// Applies every notification stored so far (the worker's loop, run here until nothing is
    /// left; rows another test's applier holds are waited for). Rows that arrive meanwhile, such
    /// as another test's stream, are not waited for.
    static func applyAll(_ fixture: AccessFixture) async throws {
        let applier = NotificationApplier(postgres: fixture.postgres, logger: TestStack.logger)
        let storedBy = try #require(try await fixture.postgres.query("SELECT now()", logger: TestStack.logger).decode(Date.self).first { _ in true })
        let done = try await eventually(within: .seconds(30)) {
            while try await applier.applyNext() > 0 {}
            let waiting = try await fixture.postgres.query(
                "SELECT count(*)::int FROM payment_notification WHERE applied_at IS NULL AND received_at <= \(storedBy)", logger: TestStack.logger
            ).decode(Int.self).first { _ in true }
            return waiting == 0
        }
        #expect(done, "every notification applied")
    }

    static func notify(_ provider: String, _ body: [UInt8], headers: HTTPFields = [:], _ fixture: AccessFixture) async throws -> TestResponse {
        var fields = headers
        if fields[.contentType] == nil { fields[.contentType] = "application/x-www-form-urlencoded; charset=utf-8" }
        return try await fixture.send(.post, "/callbacks/\(provider)", raw: body, headers: fields)
    }

    static func count(_ sql: String, _ candidateID: Int64, _ fixture: AccessFixture) async throws -> Int {
        try await fixture.postgres.query(PostgresQuery(unsafeSQL: sql.replacingOccurrences(of: "$C", with: String(candidateID))), logger: TestStack.logger)
            .decode(Int.self).first { _ in true } ?? -1
    }

    static func status(_ candidateID: Int64, _ fixture: AccessFixture) async throws -> String? {
        try await fixture.postgres.query("SELECT status FROM candidate_account WHERE id = \(candidateID)", logger: TestStack.logger)
            .decode(String.self).first { _ in true }
    }

    /// Only a signed-in, confirmed candidate orders; a bad provider is a 4xx; nothing is stored for a refusal.
    @Test func anOrderNeedsASignedInConfirmedCandidate() async throws {
        try await AccessFixture.with { fixture in
            try await ExamYearSetup.shared.ensure(fixture)
            var stranger = Browser()
            #expect(try await fixture.send(.post, "/orders", ["provider": "alipay"], as: &stranger).status == .unauthorized)
            #expect(try await fixture.send(.get, "/orders/current", as: &stranger).status == .unauthorized)

            var (candidate, browser) = try await fixture.signedInCandidate(county: "430102")
            let early = try await fixture.send(.post, "/orders", ["provider": "alipay"], as: &browser)
            #expect(early.status == .conflict && early.errorCode == "payment.not_confirmed", "\(early.text)")
            let none = try await fixture.send(.get, "/orders/current", as: &browser)
            #expect(none.status == .notFound && none.errorCode == "payment.no_order", "\(none.text)")
            #expect(try await Self.count("SELECT count(*)::int FROM payment_order WHERE candidate_id = $C", candidate.id, fixture) == 0)

            var province = try await fixture.signedInProvinceAdministrator().1
            var (confirmed, confirmedBrowser) = try await Self.confirmedCandidate(fixture, province: &province)
            for provider in ["unionpay", "", "ALIPAY"] {
                let refused = try await fixture.send(.post, "/orders", ["provider": provider], as: &confirmedBrowser)
                #expect((400..<500).contains(refused.status.code), "\(provider): \(refused.text)")
            }
            // The same provider again: the same open order; the other provider: a new one, the first ended.
            let first = try await Self.order("alipay", fixture, as: &confirmedBrowser)
            #expect(try await Self.order("alipay", fixture, as: &confirmedBrowser).orderNo == first.orderNo)
            let second = try await Self.order("wechat", fixture, as: &confirmedBrowser)
            #expect(second.orderNo != first.orderNo)
            #expect(try await Self.count("SELECT count(*)::int FROM payment_order WHERE candidate_id = $C AND status = 'open'", confirmed.id, fixture) == 1)
            _ = (candidate, confirmed)
        }
    }

    @Test func eachNotificationSentFiveTimesByTwentySendersChangesTheCandidateOnce() async throws {
        try await AccessFixture.with { fixture in
            try await ExamYearSetup.shared.ensure(fixture)
            var (_, province) = try await fixture.signedInProvinceAdministrator()
            var (byAlipay, alipayBrowser) = try await Self.confirmedCandidate(fixture, province: &province)
            var (byWeChat, wechatBrowser) = try await Self.confirmedCandidate(fixture, province: &province)
            let alipayOrder = try await Self.order("alipay", fixture, as: &alipayBrowser)
            let wechatOrder = try await Self.order("wechat", fixture, as: &wechatBrowser)
            #expect(alipayOrder.amount == 14_500)
            let alipay = TestProviders.alipay(order: alipayOrder.orderNo, trade: "2026A\(UUID().uuidString.prefix(8))", amountFen: alipayOrder.amount)
            let wechat = TestProviders.wechat(order: wechatOrder.orderNo, trade: "4200W\(UUID().uuidString.prefix(8))", amountFen: wechatOrder.amount)

            let answers = try await withThrowingTaskGroup(of: [String].self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        var answers: [String] = []
                        for _ in 0..<5 {
                            let a = try await Self.notify("alipay", alipay, fixture)
                            answers.append("\(a.status.code) \(a.text)")
                            let w = try await Self.notify("wechat", wechat.body, headers: wechat.headers, fixture)
                            answers.append("\(w.status.code) wechat")
                        }
                        return answers
                    }
                }
                return try await group.reduce(into: [String]()) { $0 += $1 }
            }
            #expect(answers.count == 200)
            #expect(answers.filter { $0 == "200 success" }.count == 100, "Alipay gets exactly `success` every time")
            #expect(answers.filter { $0 == "200 wechat" }.count == 100)
            try await Self.applyAll(fixture)
            for candidate in [byAlipay, byWeChat] {
                #expect(try await Self.status(candidate.id, fixture) == "paid")
                #expect(try await Self.count("SELECT count(*)::int FROM candidate_transition WHERE candidate_id = $C AND to_status = 'paid'", candidate.id, fixture) == 1)
                #expect(try await Self.count("SELECT count(*)::int FROM outbox_event WHERE aggregate_id = 'candidate-$C' AND event_type = 'PaymentCompleted'", candidate.id, fixture) == 1)
            }
            let current = try await fixture.send(.get, "/orders/current", as: &alipayBrowser)
            #expect(current.json["status"] as? String == "paid")
            let again = try await fixture.send(.post, "/orders", ["provider": "alipay"], as: &alipayBrowser)
            #expect(again.errorCode == "payment.already_paid", "\(again.text)")
            _ = (byAlipay, byWeChat)
        }
    }

    /// Every kind of forgery: 4xx, nothing stored, the refusal logged by its reason only.
    @Test func tamperedNotificationsAreRefusedAndChangeNothing() async throws {
        try await AccessFixture.with { fixture in
            try await ExamYearSetup.shared.ensure(fixture)
            var (_, province) = try await fixture.signedInProvinceAdministrator()
            var (candidate, browser) = try await Self.confirmedCandidate(fixture, province: &province)
            let order = try await Self.order("alipay", fixture, as: &browser)
            let trade = "2026T\(UUID().uuidString.prefix(8))"
            let stranger = try _RSA.Signing.PrivateKey(keySize: .bits2048)

            let genuine = String(decoding: TestProviders.alipay(order: order.orderNo, trade: trade, amountFen: order.amount), as: UTF8.self)
            let changedAmount = Array(genuine.replacingOccurrences(of: "total_amount=145.00", with: "total_amount=1.00").utf8)
            #expect(changedAmount != Array(genuine.utf8))
            let forgeries: [(String, [UInt8], HTTPFields)] = [
                ("alipay", changedAmount, [:]),
                ("alipay", TestProviders.alipay(order: order.orderNo, trade: trade, amountFen: order.amount, key: stranger), [:]),
                ("alipay", TestProviders.alipay(order: order.orderNo, trade: trade, amountFen: order.amount, appID: "2021999999999999"), [:]),
                ("alipay", Array("not a form at all".utf8), [:]),
            ]
            let wechatOrder = try await Self.order("wechat", fixture, as: &browser)
            let tradeW = "4200T\(UUID().uuidString.prefix(8))"
            let wrongKey = TestProviders.wechat(order: wechatOrder.orderNo, trade: tradeW, amountFen: order.amount, key: stranger)
            let wrongSerial = TestProviders.wechat(order: wechatOrder.orderNo, trade: tradeW, amountFen: order.amount, serial: "0123456789ABCDEF")
            let stale = TestProviders.wechat(order: wechatOrder.orderNo, trade: tradeW, amountFen: order.amount, timestamp: Date() - 360)
            let otherApp = TestProviders.wechat(order: wechatOrder.orderNo, trade: tradeW, amountFen: order.amount, appID: "wx9999999999999999")
            // The same JSON, serialised again (keys reordered, spaces added): no longer the signed bytes.
            let signed = TestProviders.wechat(order: wechatOrder.orderNo, trade: tradeW, amountFen: order.amount)
            let object = try JSONSerialization.jsonObject(with: Data(signed.body))
            let reserialised = Array(try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]))
            let wechatForgeries: [(String, [UInt8], HTTPFields)] = [
                ("wechat", wrongKey.body, wrongKey.headers), ("wechat", wrongSerial.body, wrongSerial.headers), ("wechat", stale.body, stale.headers),
                ("wechat", otherApp.body, otherApp.headers), ("wechat", reserialised, signed.headers),
            ]
            let before = fixture.log.all.count
            for (provider, body, headers) in forgeries + wechatForgeries {
                let answer = try await Self.notify(provider, body, headers: headers, fixture)
                #expect((400...499).contains(Int(answer.status.code)), "\(provider): \(answer.status) \(answer.text)")
                #expect(answer.text != "success")
            }
            let stored = try await fixture.postgres.query(
                "SELECT count(*)::int FROM payment_notification WHERE order_no = ANY(\([order.orderNo, wechatOrder.orderNo]))", logger: TestStack.logger
            ).decode(Int.self).first { _ in true }
            #expect(stored == 0)
            try await Self.applyAll(fixture)
            #expect(try await Self.status(candidate.id, fixture) == "confirmed")
            let refusals = fixture.log.all.dropFirst(before).filter { $0.contains("payment notification refused") }
            #expect(refusals.count == 9, "\(refusals)")
            for code in ["alipay.signature", "alipay.app_id", "alipay.malformed", "wechat.signature", "wechat.serial", "wechat.timestamp", "wechat.app_id"] {
                #expect(refusals.contains { $0.contains(code) }, "logged: \(code)")
            }
            #expect(!refusals.contains { $0.contains(order.orderNo) || $0.contains("138") || $0.contains(candidate.number) }, "no order, payer or ID in the log")
        }
    }

    /// Stores notifications as the inbox does, all in one transaction, so that whichever applier
    /// takes the first (this test's or the stack's worker) takes them all in one batch.
    static func storeTogether(_ notices: [(order: String, trade: String, kind: String, amountFen: Int)], _ fixture: AccessFixture) async throws {
        try await fixture.postgres.withTransaction(logger: TestStack.logger) { connection in
            for notice in notices {
                try await connection.query(
                    """
                    WITH stored AS (
                        INSERT INTO payment_notification (provider, source, dedupe_key, order_no, trade_no, kind, amount_fen, occurred_at, raw)
                        VALUES ('alipay', 'notify', \(notice.trade + ":" + notice.kind + ":" + UUID().uuidString), \(notice.order), \(notice.trade),
                                \(notice.kind), \(notice.amountFen), now(), \(ByteBuffer(string: "test")))
                        RETURNING id)
                    INSERT INTO payment_notification_pending (id) SELECT id FROM stored
                    """, logger: TestStack.logger)
            }
        }
    }

    /// A close notice and the payment of the same order: the same outcome whether they are applied
    /// in one batch or in two, in either order.
    @Test func aCloseNoticeAndAPaymentGiveTheSameOutcomeInOneBatchOrTwo() async throws {
        try await AccessFixture.with { fixture in
            try await ExamYearSetup.shared.ensure(fixture)
            var (_, province) = try await fixture.signedInProvinceAdministrator()
            func outcome(of orderNo: String) async throws -> (order: String?, anomalies: [String]) {
                let order = try await fixture.postgres.query("SELECT status FROM payment_order WHERE order_no = \(orderNo)", logger: TestStack.logger)
                    .decode(String.self).first { _ in true }
                var anomalies: [String] = []
                for try await kind in try await fixture.postgres.query(
                    "SELECT kind FROM payment_anomaly WHERE order_no = \(orderNo) ORDER BY kind", logger: TestStack.logger
                ).decode(String.self) { anomalies.append(kind) }
                return (order, anomalies)
            }
            for paidFirst in [true, false] {
                var outcomes: [(String?, [String])] = []
                for together in [true, false] {
                    var (candidate, browser) = try await Self.confirmedCandidate(fixture, province: &province)
                    let order = try await Self.order("alipay", fixture, as: &browser)
                    let trade = "2026B\(UUID().uuidString.prefix(8))"
                    let payment = (order: order.orderNo, trade: trade, kind: "paid", amountFen: order.amount)
                    let close = (order: order.orderNo, trade: trade, kind: "closed", amountFen: order.amount)
                    let notices = paidFirst ? [payment, close] : [close, payment]
                    if together {
                        try await Self.storeTogether(notices, fixture)
                    } else {
                        for notice in notices {
                            try await Self.storeTogether([notice], fixture)
                            try await Self.applyAll(fixture)
                        }
                    }
                    try await Self.applyAll(fixture)
                    #expect(try await Self.status(candidate.id, fixture) == "paid")
                    outcomes.append(try await outcome(of: order.orderNo))
                    _ = candidate
                }
                #expect(outcomes[0].0 == "paid" && outcomes[1].0 == "paid", "\(outcomes)")
                #expect(outcomes[0].1 == outcomes[1].1, "paid first: \(paidFirst): \(outcomes)")
                #expect(outcomes[0].1 == [paidFirst ? "closed_after_payment" : "paid_after_closed"], "\(outcomes)")
            }
        }
    }

    /// A close notice before the payment; a payment after the order expired; a second payment.
    @Test func notificationsOutOfOrderAndSecondPaymentsAreRecordedAndNothingIsLost() async throws {
        try await AccessFixture.with { fixture in
            try await ExamYearSetup.shared.ensure(fixture)
            var (_, province) = try await fixture.signedInProvinceAdministrator()

            // Closed first, then the payment it was closing arrives: applied, flagged.
            var (closedFirst, browserA) = try await Self.confirmedCandidate(fixture, province: &province)
            let orderA = try await Self.order("alipay", fixture, as: &browserA)
            let tradeA = "2026C\(UUID().uuidString.prefix(8))"
            #expect(try await Self.notify("alipay", TestProviders.alipay(order: orderA.orderNo, trade: tradeA, amountFen: orderA.amount, status: "TRADE_CLOSED"), fixture).text == "success")
            try await Self.applyAll(fixture)
            #expect(try await Self.notify("alipay", TestProviders.alipay(order: orderA.orderNo, trade: tradeA, amountFen: orderA.amount), fixture).text == "success")
            try await Self.applyAll(fixture)
            #expect(try await Self.status(closedFirst.id, fixture) == "paid")
            let flagged = try await fixture.postgres.query("SELECT kind FROM payment_anomaly WHERE order_no = \(orderA.orderNo)", logger: TestStack.logger)
                .decode(String.self).first { _ in true }
            #expect(flagged == "paid_after_closed")

            // An order left to expire, a new one made, both paid: the first applies, the second is owed back.
            var (twice, browserB) = try await Self.confirmedCandidate(fixture, province: &province)
            let first = try await Self.order("alipay", fixture, as: &browserB)
            let second = try await Self.order("wechat", fixture, as: &browserB)
            let firstStatus = try await fixture.postgres.query("SELECT status FROM payment_order WHERE order_no = \(first.orderNo)", logger: TestStack.logger)
                .decode(String.self).first { _ in true }
            #expect(firstStatus == "expired", "one open order per candidate")
            _ = try await Self.notify("alipay", TestProviders.alipay(order: first.orderNo, trade: "2026E\(UUID().uuidString.prefix(8))", amountFen: first.amount), fixture)
            let w = TestProviders.wechat(order: second.orderNo, trade: "4200E\(UUID().uuidString.prefix(8))", amountFen: second.amount)
            _ = try await Self.notify("wechat", w.body, headers: w.headers, fixture)
            // A refund notice for something never paid here: recorded for staff.
            _ = try await Self.notify("alipay", TestProviders.alipay(order: "E2026NOSUCHORDER01", trade: "2026R\(UUID().uuidString.prefix(8))", amountFen: 100, status: "TRADE_CLOSED", extra: ["refund_fee": "1.00"]), fixture)
            try await Self.applyAll(fixture)
            #expect(try await Self.status(twice.id, fixture) == "paid")
            #expect(try await Self.count("SELECT count(*)::int FROM outbox_event WHERE aggregate_id = 'candidate-$C' AND event_type = 'PaymentCompleted'", twice.id, fixture) == 1)
            let refund = try await fixture.postgres.query(
                "SELECT reason, amount_fen FROM payment_refund WHERE candidate_id = \(twice.id)", logger: TestStack.logger
            ).decode((String, Int).self).first { _ in true }
            #expect(refund?.0 == "second_payment" && refund?.1 == 14_500, "\(String(describing: refund))")
            let kinds = try await fixture.postgres.query(
                "SELECT kind FROM payment_anomaly WHERE order_no = ANY(\([first.orderNo, "E2026NOSUCHORDER01"]))", logger: TestStack.logger)
            var seen = Set<String>()
            for try await kind in kinds.decode(String.self) { seen.insert(kind) }
            #expect(seen == ["paid_after_expired", "refund_notice"], "\(seen)")
            // The order whose payment is owed back ends, and the follow-up no longer asks about it.
            let owed = try await fixture.postgres.query("SELECT status FROM payment_order WHERE order_no = \(second.orderNo)", logger: TestStack.logger)
                .decode(String.self).first { _ in true }
            #expect(owed == "refund_due")
            let open = try await Self.count("SELECT count(*)::int FROM payment_order WHERE candidate_id = $C AND status = 'open'", twice.id, fixture)
            #expect(open == 0, "no order of a paid candidate is left open")
            _ = (closedFirst, twice)
        }
    }
}
