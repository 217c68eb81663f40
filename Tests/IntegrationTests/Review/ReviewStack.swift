import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
import Settings
import Storage
import Testing

/// The reviews' tests run in a database of their own: they move the year's payment deadline
/// (which the shared database's other tests need open) and report whole counties (which other
/// tests keep adding candidates to). Migrated, loaded with the shipped reference data and the
/// tests' exam year, through the same routes as the shared stack.
enum ReviewStack {
    static func with<T: Sendable>(_ body: @Sendable (AccessFixture) async throws -> T) async throws -> T {
        try await with { fixture, _ in try await body(fixture) }
    }

    /// With the scratch database's settings too (for the worker processes a test starts on it).
    static func with<T: Sendable>(_ body: @Sendable (AccessFixture, PostgresSettings) async throws -> T) async throws -> T {
        let migrations = try MigrationCatalog.load(repositoryRoot: TestStack.repository)
        return try await withScratchDatabase { settings in
            try await withPostgres(settings) { client in
                _ = try await Migrator(migrations: migrations, logger: TestStack.logger).apply(on: client)
                for table in ReferenceTable.allCases {
                    let text = try String(contentsOf: TestStack.repository.appendingPathComponent(table.shippedFile), encoding: .utf8)
                    _ = try await ReferenceImporter(logger: TestStack.logger).importCSV(text, into: table, client: client)
                }
            }
            return try await AccessFixture.with(postgres: settings) { fixture in
                try await ExamYearSetup().ensure(fixture)
                return try await body(fixture, settings)
            }
        }
    }

    /// A candidate of 芙蓉区 confirmed at TP430102A (photographed) who has paid, signed in.
    static func paidCandidate(_ fixture: AccessFixture, province: inout Browser) async throws -> (Candidate, Browser) {
        var (candidate, browser) = try await PaymentTests.confirmedCandidate(fixture, province: &province)
        try await pay(&browser, fixture)
        return (candidate, browser)
    }

    /// Pays through the provider's signed notification, applied as the worker applies it.
    static func pay(_ browser: inout Browser, _ fixture: AccessFixture) async throws {
        let order = try await PaymentTests.order("alipay", fixture, as: &browser)
        let notified = try await PaymentTests.notify(
            "alipay", TestProviders.alipay(order: order.orderNo, trade: "2026R\(UUID().uuidString.prefix(8))", amountFen: order.amount), fixture)
        #expect(notified.status == .ok, "\(notified.text)")
        try await PaymentTests.applyAll(fixture)
    }

    /// Moves the year's payment deadline (past: the reviews that follow payment may begin).
    static func setPaymentDeadline(_ deadline: Date, _ fixture: AccessFixture) async throws {
        let text = ISO8601DateFormatter().string(from: deadline)
        try await fixture.postgres.query(
            "UPDATE exam_year SET document = jsonb_set(document, '{calendar,paymentDeadline}', to_jsonb(\(text)::text)) WHERE current",
            logger: TestStack.logger)
    }

    /// The staff the reviews' tests act as, signed in: the province's administrator, 长沙市's
    /// officer, another city's (株洲市), 芙蓉区's and an operator of its point TP430102A.
    static func staff(_ fixture: AccessFixture) async throws -> (
        province: Browser, city: Browser, otherCity: Browser, county: Browser, operator: Browser
    ) {
        var (_, province) = try await fixture.signedInProvinceAdministrator()
        let (_, city) = try await fixture.signedInStaff(at: "430100", roles: ["city_officer"], approvedBy: &province)
        let (_, otherCity) = try await fixture.signedInStaff(at: "430200", roles: ["city_officer"], approvedBy: &province)
        let (_, county) = try await fixture.signedInStaff(at: "430102", roles: ["county_officer"], approvedBy: &province)
        let (_, point) = try await fixture.signedInStaff(at: "TP430102A", roles: ["point_operator"], approvedBy: &province)
        return (province, city, otherCity, county, point)
    }

    static func count(_ query: PostgresQuery, _ fixture: AccessFixture) async throws -> Int {
        try await fixture.postgres.query(query, logger: TestStack.logger).decode(Int.self).first { _ in true } ?? -1
    }
}

extension ReviewStack {
    /// A candidate of 芙蓉区 confirmed at TP430102A by `operatorBrowser` (photographed first).
    static func confirmed(
        _ fixture: AccessFixture, operator operatorBrowser: inout Browser, number: String = Candidate.randomResidentID(), name: String = "李明"
    ) async throws -> (Candidate, Browser) {
        var (candidate, browser) = try await fixture.signedInCandidate(county: "430102", number: number, name: name)
        _ = try await fixture.send(.post, "/registration/pledge", ["version": "\(ExamYearSetup.year)-1"], as: &browser)
        let submitted = try await fixture.send(.post, "/registration/submit", ExamYearSetup.form(for: candidate), as: &browser)
        #expect(submitted.status == .ok, "\(submitted.text)")
        #expect(try await fixture.capturePhoto(of: candidate.id, as: operatorBrowser).status == .ok)
        let confirmed = try await fixture.send(.post, "/staff/confirmations", ["documentNumber": candidate.number], as: &operatorBrowser)
        #expect(confirmed.status == .ok, "\(confirmed.text)")
        return (candidate, browser)
    }

    static func candidateNumber(_ id: Int64, _ fixture: AccessFixture) async throws -> String {
        try await fixture.postgres.query("SELECT candidate_number FROM candidate_confirmation WHERE candidate_id = \(id)", logger: TestStack.logger)
            .decode(String.self).first { _ in true } ?? ""
    }

    static func upload(_ path: String, _ bytes: [UInt8], type: String, as browser: Browser, _ fixture: AccessFixture) async throws -> TestResponse {
        var headers = browser.headers(json: false)
        headers[.contentType] = type
        return try await fixture.send(.post, path, raw: bytes, headers: headers)
    }
}
