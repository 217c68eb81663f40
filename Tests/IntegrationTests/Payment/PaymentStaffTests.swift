import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Payments
import PostgresNIO
import Settings
import Storage
import Testing

@testable import PaymentCallbackService

/// What staff do with payments: reconcile a provider's statement, follow up unpaid candidates;
/// and the payment deadline that ends unpaid registrations.
@Suite struct PaymentStaffTests {
    @Test func aStatementWithAllThreeKindsOfMismatchListsAllThree() async throws {
        try await AccessFixture.with { fixture in
            try await ExamYearSetup.shared.ensure(fixture)
            // A day of its own, so that no other test's payments fall on it.
            let day = String(format: "%04d-%02d-%02d", Int.random(in: 2030...2099), Int.random(in: 1...12), Int.random(in: 1...28))
            let orders = try await PaymentRecoveryTests.confirmedWithOrders(3, provider: "alipay", fixture)
            let trades = orders.map { "2026S" + $0.order }
            for (order, trade) in zip(orders, trades) {
                let body = TestProviders.alipay(order: order.order, trade: trade, amountFen: 14_500, paidAt: "\(day) 09:30:00")
                #expect(try await PaymentTests.notify("alipay", body, fixture).text == "success")
            }
            try await PaymentTests.applyAll(fixture)
            // Matches the first; another amount for the second; the third missing; one we never saw.
            let statement = """
                trade_no,out_trade_no,amount,paid_at
                \(trades[0]),\(orders[0].order),145.00,\(day) 09:30:00
                \(trades[1]),\(orders[1].order),140.00,\(day) 09:30:00
                2026SNEVERSEENHERE,E2026UNKNOWN0000001,145.00,\(day) 11:00:00

                """
            var (_, province) = try await fixture.signedInProvinceAdministrator()
            var headers = province.headers(json: false)
            headers[.contentType] = "text/csv"
            let answer = try await fixture.send(.post, "/staff/payments/reconciliations?provider=alipay&day=\(day)", raw: Array(statement.utf8), headers: headers)
            #expect(answer.status == .created, "\(answer.text)")
            let mismatches = (answer.json["mismatches"] as? [[String: Any]]) ?? []
            let byKind = Dictionary(grouping: mismatches, by: { $0["kind"] as? String ?? "" })
            #expect(mismatches.count == 3, "\(answer.text)")
            #expect(byKind["amount_differs"]?.first?["tradeNo"] as? String == trades[1])
            #expect(byKind["paid_here_not_there"]?.first?["tradeNo"] as? String == trades[2])
            #expect(byKind["paid_there_not_here"]?.first?["tradeNo"] as? String == "2026SNEVERSEENHERE")
            // Nothing was corrected: the three candidates are still paid, as they were.
            #expect(try await PaymentRecoveryTests.paidCount(orders.map(\.id), fixture).paid == 3)
            let id = answer.int("id")
            var again = province
            #expect(try await fixture.send(.get, "/staff/payments/reconciliations/\(id)", as: &again).json["statementLines"] as? Int == 3)

            let badHeader = try await fixture.send(.post, "/staff/payments/reconciliations?provider=alipay&day=\(day)", raw: Array("a,b,c\n1,2,3\n".utf8), headers: headers)
            #expect(badHeader.errorFields == ["statement"])
            let badLine = try await fixture.send(
                .post, "/staff/payments/reconciliations?provider=alipay&day=\(day)",
                raw: Array("trade_no,out_trade_no,amount,paid_at\nT1,O1,abc,\n".utf8), headers: headers)
            #expect(badLine.errorFields == ["line 2"])
            #expect(try await fixture.send(.post, "/staff/payments/reconciliations?provider=paypal&day=2026-02-30", raw: Array(statement.utf8), headers: headers).errorFields.sorted() == ["day", "provider"])
            var (_, city) = try await fixture.signedInStaff(at: "430100", roles: ["city_officer"], approvedBy: &province)
            var cityHeaders = city.headers(json: false)
            cityHeaders[.contentType] = "text/csv"
            #expect(try await fixture.send(.post, "/staff/payments/reconciliations?provider=alipay&day=\(day)", raw: Array(statement.utf8), headers: cityHeaders).status == .forbidden)
            _ = try await fixture.send(.get, "/staff/payments/reconciliations/\(id)", as: &city)
        }
    }

    @Test func aPointRecordsWhyItsConfirmedCandidatesHaveNotPaidAndItsCountySeesTheSummary() async throws {
        try await AccessFixture.with { fixture in
            try await ExamYearSetup.shared.ensure(fixture)
            var (_, province) = try await fixture.signedInProvinceAdministrator()
            let (candidate, _) = try await PaymentTests.confirmedCandidate(fixture, province: &province)
            var (_, operatorBrowser) = try await fixture.signedInStaff(at: "TP430102A", roles: ["point_operator"], approvedBy: &province)
            let listed = try await fixture.send(.get, "/staff/unpaid-candidates", as: &operatorBrowser)
            let candidates = (listed.json["candidates"] as? [[String: Any]]) ?? []
            let mine = candidates.first { ($0["candidateID"] as? NSNumber)?.int64Value == candidate.id }
            #expect(mine != nil, "the confirmed, unpaid candidate is listed")
            #expect((mine?["documentNumber"] as? String)?.contains("********") == true)
            #expect(try await fixture.send(.put, "/staff/unpaid-candidates/\(candidate.id)/reason", ["reason": "x"], as: &operatorBrowser).errorFields == ["reason"])
            let recorded = try await fixture.send(.put, "/staff/unpaid-candidates/\(candidate.id)/reason", ["reason": "考生称银行卡限额，明日再缴"], as: &operatorBrowser)
            #expect(recorded.status == .ok, "\(recorded.text)")
            var (_, otherOperator) = try await fixture.signedInStaff(at: "TP430103L", roles: ["point_operator"], approvedBy: &province)
            #expect(try await fixture.send(.put, "/staff/unpaid-candidates/\(candidate.id)/reason", ["reason": "不是本点考生"], as: &otherOperator).status == .forbidden)
            var (_, county) = try await fixture.signedInStaff(at: "430102", roles: ["county_officer"], approvedBy: &province)
            let summary = try await fixture.send(.get, "/staff/unpaid-candidates", as: &county)
            #expect(summary.json["candidates"] == nil || summary.json["candidates"] is NSNull, "the county sees counts, not people")
            let points = (summary.json["points"] as? [[String: Any]]) ?? []
            let point = points.first { $0["pointID"] as? String == "TP430102A" }
            #expect(((point?["withReason"] as? Int) ?? 0) >= 1 && ((point?["unpaid"] as? Int) ?? 0) >= 1, "\(summary.text)")
        }
    }

    /// In a database of its own (the deadline is the current year's; the shared one must keep its own).
    @Test func afterThePaymentDeadlineUnpaidCandidatesBecomeInvalidAndAnExtensionKeepsThem() async throws {
        let migrations = try MigrationCatalog.load(repositoryRoot: TestStack.repository)
        try await withScratchDatabase { settings in
            try await withPostgres(settings) { client in
                _ = try await Migrator(migrations: migrations, logger: TestStack.logger).apply(on: client)
                try await client.query(
                    """
                    INSERT INTO organisation_node (id, kind, name, parent_id, path) VALUES
                        ('43', 'province', '湖南省', NULL, '43'), ('4301', 'city', '长沙市', '43', '43.4301'), ('430102', 'county', '芙蓉区', '4301', '43.4301.430102')
                    """, logger: TestStack.logger)
                func setDeadline(_ deadline: String) async throws {
                    let document = #"{"calendar":{"paymentDeadline":"\#(deadline)"}}"#
                    try await client.query(
                        """
                        INSERT INTO exam_year (year, document, current) VALUES (2026, \(document)::jsonb, true)
                        ON CONFLICT (year) DO UPDATE SET document = excluded.document
                        """, logger: TestStack.logger)
                }
                func candidate(_ status: String) async throws -> Int64 {
                    let id = try await client.query(
                        """
                        INSERT INTO candidate_account (document_type, document_number_sealed, document_number_lookup, document_number_masked, name,
                            phone_sealed, phone_masked, personal_data_key_id, organisation_node_id, status)
                        VALUES ('resident_id', '\\x01', decode(md5(random()::text), 'hex'), '430102********0000', '期限测试', '\\x01', '137****0000', 'k', '430102', \(status))
                        RETURNING id
                        """, logger: TestStack.logger
                    ).decode(Int64.self).first { _ in true }!
                    try await client.query("INSERT INTO registration (candidate_id, year) VALUES (\(id), 2026)", logger: TestStack.logger)
                    return id
                }
                let reader = SettingsReader(arguments: ["tests"], environment: AccessFixture.environment)
                let paymentSettings = try PaymentSettings(reader: reader)
                let followUp = OrderFollowUp(
                    postgres: client, queries: ProviderQueries(settings: paymentSettings),
                    inbox: NotificationInbox(settings: paymentSettings, postgres: client, logger: TestStack.logger),
                    queryAfter: .seconds(120), logger: TestStack.logger)

                // Extended into the future: nobody changes.
                try await setDeadline("2099-09-11T18:00:00+08:00")
                let confirmed = try await candidate("confirmed")
                let submitted = try await candidate("submitted")
                let paid = try await candidate("paid")
                try await followUp.invalidateAfterDeadline()
                func status(_ id: Int64) async throws -> String? {
                    try await client.query("SELECT status FROM candidate_account WHERE id = \(id)", logger: TestStack.logger).decode(String.self).first { _ in true }
                }
                #expect(try await status(confirmed) == "confirmed")

                // Past: the unpaid become invalid, with their transitions and events; the paid stay.
                try await setDeadline("2020-09-11T18:00:00+08:00")
                try await followUp.invalidateAfterDeadline()
                #expect(try await status(confirmed) == "invalid")
                #expect(try await status(submitted) == "invalid")
                #expect(try await status(paid) == "paid")
                let recorded = try await client.query(
                    """
                    SELECT (SELECT count(*)::int FROM candidate_transition WHERE to_status = 'invalid' AND actor_kind = 'system'),
                           (SELECT count(*)::int FROM outbox_event WHERE event_type = 'CandidateInvalidated')
                    """, logger: TestStack.logger
                ).decode((Int, Int).self).first { _ in true }
                #expect(recorded?.0 == 2 && recorded?.1 == 2, "\(String(describing: recorded))")
                try await followUp.invalidateAfterDeadline()
                let again = try await client.query("SELECT count(*)::int FROM outbox_event WHERE event_type = 'CandidateInvalidated'", logger: TestStack.logger)
                    .decode(Int.self).first { _ in true }
                #expect(again == 2, "a second pass changes nothing")
            }
        }
    }
}
