import Access
import ArrangementService
import ConfirmationService
import DocumentGenerationService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import PaymentCallbackService
import Payments
import Messaging
import NIOCore
import PostgresNIO
import Redis
import RegistrationService
import ReviewService
import ServiceRuntime
import Settings
import Storage
import Synchronization
import Testing

/// The registration and review routes, built exactly as the services build them, against the
/// test stack's PostgreSQL and Redis (or a Redis of the test's own), with the log captured so a
/// test can search it for personal data.
struct AccessFixture: Sendable {
    let client: any TestClientProtocol
    let postgres: PostgresClient
    let redis: RedisClient
    let access: AccessControl
    let sms: RecordingSMSSender
    let log: CapturedLog

    /// The test stack's keys (ops/test exports them), so rows sealed here and by the services
    /// under ops/test open alike; fixed keys when the tests run against a stack started by hand.
    static let environment: [String: String] = [
        "PERSONAL_DATA_KEYS": TestStack.environment["PERSONAL_DATA_KEYS"]
            ?? "t2:" + Data(repeating: 7, count: 32).base64EncodedString() + ",t1:" + Data(repeating: 3, count: 32).base64EncodedString(),
        "PERSONAL_DATA_LOOKUP_KEY": TestStack.environment["PERSONAL_DATA_LOOKUP_KEY"] ?? Data(repeating: 9, count: 32).base64EncodedString(),
        "ALLOWED_ORIGINS": "http://127.0.0.1:28080",
        "DOCUMENT_STORE": documentStore(for: TestStack.postgres.database),
        "DOCUMENT_SIGNING_KEYS": TestStack.environment["DOCUMENT_SIGNING_KEYS"] ?? "t1:" + Data(repeating: 5, count: 32).base64EncodedString(),
        "ALIPAY_PUBLIC_KEY": TestProviders.settings["ALIPAY_PUBLIC_KEY"] ?? "",
        "WECHAT_PLATFORM_KEYS": TestProviders.settings["WECHAT_PLATFORM_KEYS"] ?? "",
        "WECHAT_API_V3_KEY": TestProviders.settings["WECHAT_API_V3_KEY"] ?? "",
        "ALIPAY_APP_PRIVATE_KEY": TestProviders.settings["ALIPAY_APP_PRIVATE_KEY"] ?? "",
        "WECHAT_MERCHANT_PRIVATE_KEY": TestProviders.settings["WECHAT_MERCHANT_PRIVATE_KEY"] ?? "",
        "WECHAT_MERCHANT_SERIAL": TestProviders.settings["WECHAT_MERCHANT_SERIAL"] ?? "",
    ]
    static let origin = "http://127.0.0.1:28080"

    /// The documents' directory for a database: a scratch database's documents apart from the
    /// shared one's (their candidate ids, which name the files, overlap).
    static func documentStore(for database: String) -> String {
        let base = TestStack.environment["DOCUMENT_STORE"] ?? NSTemporaryDirectory() + "exam-documents"
        return database == TestStack.postgres.database ? base : base + "/scratch/" + database
    }

    /// The services whose routes are documented (Services/<name>/openapi.json).
    enum DocumentedService: String, CaseIterable, Sendable {
        case registration = "Registration", confirmation = "Confirmation", payment = "PaymentCallback", review = "Review"
        case arrangement = "Arrangement", documents = "DocumentGeneration"
    }

    /// A service's routes as the service adds them (for comparing with its OpenAPI document);
    /// nothing connects.
    static func routes(of service: DocumentedService) throws -> [String] {
        let reader = SettingsReader(arguments: ["tests"], environment: environment)
        let logger = TestStack.logger
        let dependencies = Dependencies(
            settings: try ServiceSettings(reader: reader, defaultPort: 1), reader: reader,
            postgres: PostgresClient(configuration: .init(settings: TestStack.postgres), backgroundLogger: logger),
            redis: RedisClient(settings: TestStack.redis, logger: logger),
            amqp: AMQPClient(settings: TestStack.amqp, topology: Topology(workQueues: []), logger: logger), logger: logger)
        let router = Router()
        let access = try AccessControl(dependencies, passwords: AccessFixture.passwords)
        let routes = ServiceRoutes(router, access: access)
        switch service {
        case .registration: RegistrationAPI.add(to: routes, dependencies, access: access, sms: RecordingSMSSender())
        case .confirmation: ConfirmationAPI.add(to: routes, dependencies, access: access)
        case .payment: try PaymentAPI.add(to: routes, dependencies, access: access)
        case .review: ReviewAPI.add(to: routes, dependencies, access: access)
        case .arrangement: ArrangementAPI.add(to: routes, dependencies, access: access)
        case .documents: try DocumentGenerationAPI.add(to: routes, dependencies, access: access)
        }
        return router.routes.map { "\($0.method) \($0.path)" }
    }

    /// `postgres`: another database (a scratch one, for tests that move the shared year's calendar).
    static func with<T: Sendable>(
        redis redisSettings: RedisSettings = TestStack.redis, postgres postgresSettings: PostgresSettings = TestStack.postgres,
        settings extra: [String: String] = [:],
        _ body: @Sendable (AccessFixture) async throws -> T
    ) async throws -> T {
        let log = CapturedLog()
        var logger = Logger(label: "access-tests") { _ in CapturingLogHandler(log: log) }
        logger.logLevel = .debug
        let reader = SettingsReader(
            arguments: ["tests"], environment: environment.merging(["DOCUMENT_STORE": documentStore(for: postgresSettings.database)]) { $1 }.merging(extra) { $1 })
        let serviceSettings = try ServiceSettings(reader: reader, defaultPort: 1)
        let postgres = PostgresClient(configuration: .init(settings: postgresSettings), backgroundLogger: TestStack.logger)
        let redis = RedisClient(settings: redisSettings, logger: logger)
        let amqp = AMQPClient(settings: TestStack.amqp, topology: Topology(workQueues: []), logger: logger)
        let dependencies = Dependencies(settings: serviceSettings, reader: reader, postgres: postgres, redis: redis, amqp: amqp, logger: logger)
        let access = try AccessControl(dependencies, passwords: AccessFixture.passwords)
        let sms = RecordingSMSSender()
        let router = Router()
        router.add(middleware: UnexpectedErrorMiddleware())
        let routes = ServiceRoutes(router, access: access)
        RegistrationAPI.add(to: routes, dependencies, access: access, sms: sms)
        ReviewAPI.add(to: routes, dependencies, access: access)
        ConfirmationAPI.add(to: routes, dependencies, access: access)
        try PaymentAPI.add(to: routes, dependencies, access: access)
        ArrangementAPI.add(to: routes, dependencies, access: access)
        try DocumentGenerationAPI.add(to: routes, dependencies, access: access)
        let app = Application(router: router, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await postgres.run() }
            group.addTask { try await redis.run() }
            defer { group.cancelAll() }
            return try await app.test(.router) { client in
                try await body(AccessFixture(client: client, postgres: postgres, redis: redis, access: access, sms: sms, log: log))
            }
        }
    }
}

/// What a browser would send: cookies it was given, the CSRF token it read, our origin.
struct Browser: Sendable {
    var cookies: [String: String] = [:]
    var csrfToken: String?
    var address = "10.\(Int.random(in: 0...255)).\(Int.random(in: 0...255)).\(Int.random(in: 1...254))"

    var cookieHeader: String { cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }

    mutating func remember(_ response: TestResponse) {
        for header in response.headers[values: .setCookie] {
            guard let pair = header.split(separator: ";").first, let equals = pair.firstIndex(of: "=") else { continue }
            let name = String(pair[..<equals]), value = String(pair[pair.index(after: equals)...])
            cookies[name] = value.isEmpty ? nil : value
        }
        if let token = response.json["csrfToken"] as? String { csrfToken = token }
    }

    func headers(json: Bool = true) -> HTTPFields {
        var headers: HTTPFields = [:]
        if json { headers[.contentType] = "application/json" }
        if !cookies.isEmpty { headers[.cookie] = cookieHeader }
        if let csrfToken { headers[.init("X-CSRF-Token")!] = csrfToken }
        headers[.origin] = AccessFixture.origin
        headers[.init("X-Real-IP")!] = address
        return headers
    }
}

extension AccessFixture {
    /// Every fixture's password checks, on the process's hashing threads, with a line long enough
    /// for the tests that sign a hundred candidates in at once (a real process turns the excess
    /// away as busy: PasswordHashingTests).
    static let passwords = PasswordHasher(admitted: 1_000)

    /// Sends a request as `browser` and remembers what it set.
    @discardableResult
    func send(_ method: HTTPRequest.Method, _ path: String, _ body: Any? = nil, as browser: inout Browser, headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var headers = browser.headers()
        for field in extra { headers[field.name] = field.value }
        let bytes = try body.map { try JSONSerialization.data(withJSONObject: $0) }
        let response = try await client.execute(
            uri: path, method: method, headers: headers, body: bytes.map { ByteBuffer(bytes: $0) })
        browser.remember(response)
        return response
    }

    func send(_ method: HTTPRequest.Method, _ path: String, raw: [UInt8], headers: HTTPFields) async throws -> TestResponse {
        try await client.execute(uri: path, method: method, headers: headers, body: ByteBuffer(bytes: raw))
    }

    /// A new candidate account in `county` (芙蓉区 by default) and a browser signed in to it.
    func signedInCandidate(
        county: String = "430102", password: String = "Zk8#mq2Lw", number: String = Candidate.randomResidentID(), name: String = "李明"
    ) async throws -> (Candidate, Browser) {
        let candidate = Candidate(county: county, password: password, number: number, name: name)
        var browser = Browser()
        let created = try await send(.post, "/accounts", candidate.signUpBody, as: &browser)
        #expect(created.status == .created, "\(created.text)")
        let login = try await send(.post, "/session", candidate.loginBody, as: &browser)
        #expect(login.status == .ok, "\(login.text)")
        return (Candidate(county: county, password: password, number: candidate.number, name: name, id: created.int("id")), browser)
    }

    /// A province administrator (as ops/admin makes one) and a browser signed in as them.
    func signedInProvinceAdministrator() async throws -> (Int64, Browser) {
        let username = "prov_\(UInt32.random(in: 0...UInt32.max))"
        let store = StaffAccountStore(postgres: postgres, cipher: access.cipher, logger: TestStack.logger)
        let id = try #require(
            try await store.createProvinceAdministrator(
                username: username, name: "省管理员", phone: "13800000000", passwordHash: try await access.passwords.hash("Pr0v!nce-admin"),
                operatorName: "tests"))
        var browser = Browser()
        let login = try await send(.post, "/staff/session", ["username": username, "password": "Pr0v!nce-admin"], as: &browser)
        #expect(login.status == .ok, "\(login.text)")
        return (id, browser)
    }

    /// A staff account applied for at `node` and approved by `approver` with `roles`, signed in.
    func signedInStaff(at node: String, roles: [String], approvedBy approver: inout Browser) async throws -> (Int64, Browser) {
        let username = "staff_\(UInt32.random(in: 0...UInt32.max))"
        var browser = Browser()
        let applied = try await send(
            .post, "/staff/applications",
            ["username": username, "name": "王小明", "phone": "13912345678", "password": "St4ff#pass", "nodeID": node], as: &browser)
        #expect(applied.status == .created, "\(applied.text)")
        let id = try #require(Int64(applied.json["id"] as? String ?? ""))
        let approved = try await send(.post, "/staff/applications/\(id)/approve", ["roles": roles], as: &approver)
        #expect(approved.status == .ok, "\(approved.text)")
        let login = try await send(.post, "/staff/session", ["username": username, "password": "St4ff#pass"], as: &browser)
        #expect(login.status == .ok, "\(login.text)")
        return (id, browser)
    }
}

/// A made-up person with a valid resident ID number.
struct Candidate: Sendable {
    let county: String
    let password: String
    let number: String
    let id: Int64

    let name: String

    init(county: String = "430102", password: String = "Zk8#mq2Lw", number: String = Candidate.randomResidentID(), name: String = "李明", id: Int64 = 0) {
        self.county = county
        self.password = password
        self.number = number
        self.name = name
        self.id = id
    }

    var signUpBody: [String: Any] {
        ["documentType": "resident_id", "documentNumber": number, "name": name, "phone": "13712345678", "password": password, "countyID": county]
    }
    var loginBody: [String: Any] { ["documentNumber": number, "password": password] }

    /// 18 characters: an area code, a birth date between 1970 and 2005, a sequence, the check character.
    /// `area`: by default one of Changsha's; tests that make thousands use areas of their own.
    static func randomResidentID(
        area: String = ["430102", "430103", "430104", "430111", "430121"].randomElement()!, born: ClosedRange<Int> = 1970...2005
    ) -> String {
        let date = String(format: "%04d%02d%02d", Int.random(in: born), Int.random(in: 1...12), Int.random(in: 1...28))
        let body = area + date + String(format: "%03d", Int.random(in: 0...999))
        return body + String(IdentityDocument.checkCharacter(of: body)!)
    }
}

final class RecordingSMSSender: SMSSender {
    private let sent = Mutex<[(phone: String, text: String)]>([])

    func send(_ text: String, to phone: String) async throws {
        sent.withLock { $0.append((phone, text)) }
    }

    var messages: [(phone: String, text: String)] { sent.withLock { $0 } }

    func lastCode() -> String? {
        messages.last.flatMap { message in message.text.firstMatch(of: /\d{6}/).map { String($0.output) } }
    }
}

/// Every log line the fixture's code wrote, message and metadata, for searching.
final class CapturedLog: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var text: String { lines.withLock { $0.joined(separator: "\n") } }
    var all: [String] { lines.withLock { $0 } }
}

struct CapturingLogHandler: LogHandler {
    let log: CapturedLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        log.append("\(event.level) \(event.message) \(all)")
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:] }
    func int(_ key: String) -> Int64 { (json[key] as? NSNumber)?.int64Value ?? (json["candidate"] as? [String: Any]).flatMap { ($0[key] as? NSNumber)?.int64Value } ?? 0 }
    var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
    var errorFields: [String] { ((json["error"] as? [String: Any])?["fields"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String } }
}
