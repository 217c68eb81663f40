import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// Through nginx to the Registration and Review processes under ops/test: sign-up to logout, and
/// the first province administrator created by the operations command.
@Suite struct GatewayAccessTests {
    init() {}

    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        return URLSession(configuration: configuration)
    }()

    func call(_ method: String, _ path: String, _ body: [String: Any]? = nil, cookie: String? = nil, csrf: String? = nil) async throws -> (Int, [String: Any], HTTPURLResponse) {
        var request = URLRequest(url: URL(string: TestStack.gateway + path)!)
        request.httpMethod = method
        request.setValue(TestStack.gateway, forHTTPHeaderField: "Origin")
        if let body {
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        if let cookie { request.setValue(cookie, forHTTPHeaderField: "Cookie") }
        if let csrf { request.setValue(csrf, forHTTPHeaderField: "X-CSRF-Token") }
        let (data, response) = try await Self.session.data(for: request)
        let http = response as! HTTPURLResponse
        return (http.statusCode, (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:], http)
    }

    /// Runs `ops/admin` against the test stack with `stdin`; its exit status and output.
    static func admin(_ arguments: [String], stdin: String) async throws -> (Int32, String) {
        try await offThePool {
            let process = spawnable(TestStack.repository.appendingPathComponent("ops/admin").path, arguments)
            var environment = ProcessInfo.processInfo.environment
            environment["EXAM_STACK"] = "test"
            environment["BUILD_CONFIGURATION"] = "debug"
            process.environment = environment
            let input = Pipe(), output = Pipe()
            process.standardInput = input
            process.standardOutput = output
            process.standardError = output
            try process.run()
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, text)
        }
    }

    static func cookie(_ response: HTTPURLResponse) -> String? {
        (response.value(forHTTPHeaderField: "Set-Cookie") ?? "").split(separator: ";").first.map(String.init)
    }

    @Test func aCandidateSignsUpLogsInAndOutThroughTheGateway() async throws {
        let candidate = Candidate()
        let (created, _, _) = try await call("POST", "/api/registration/accounts", candidate.signUpBody)
        #expect(created == 201)
        let (loggedIn, body, response) = try await call("POST", "/api/registration/session", candidate.loginBody)
        #expect(loggedIn == 200)
        let cookie = try #require(Self.cookie(response))
        let csrf = try #require(body["csrfToken"] as? String)
        let (me, record, _) = try await call("GET", "/api/registration/me", cookie: cookie)
        #expect(me == 200)
        #expect((record["candidate"] as? [String: Any])?["countyID"] as? String == "430102")
        #expect(try await call("DELETE", "/api/registration/session", cookie: cookie).0 == 403, "no CSRF token")
        #expect(try await call("DELETE", "/api/registration/session", cookie: cookie, csrf: csrf).0 == 204)
        #expect(try await call("GET", "/api/registration/me", cookie: cookie).0 == 401)
    }

    /// Every answer, a service's or the gateway's own, carries the headers a browser-facing API
    /// sends, and the gateway's own errors are the JSON body every route answers.
    @Test func everyAnswerIsJSONWithTheBrowserSafetyHeaders() async throws {
        func expectSafe(_ response: HTTPURLResponse, _ what: String) {
            #expect(response.value(forHTTPHeaderField: "X-Content-Type-Options") == "nosniff", "\(what)")
            #expect(response.value(forHTTPHeaderField: "X-Frame-Options") == "DENY", "\(what)")
            #expect(response.value(forHTTPHeaderField: "Referrer-Policy") == "no-referrer", "\(what)")
            #expect(response.value(forHTTPHeaderField: "Content-Security-Policy")?.contains("frame-ancestors 'none'") == true, "\(what)")
            #expect(response.value(forHTTPHeaderField: "Content-Type")?.hasPrefix("application/json") == true, "\(what)")
        }
        let (live, _, liveResponse) = try await call("GET", "/api/registration/exam-year")
        #expect([200, 404].contains(live))
        expectSafe(liveResponse, "a service's answer")
        let (unknown, unknownBody, unknownResponse) = try await call("GET", "/no/such/place")
        #expect(unknown == 404)
        #expect((unknownBody["error"] as? [String: Any])?["code"] as? String == "not_found")
        expectSafe(unknownResponse, "the gateway's 404")

        // A body over the gateway's limit (20 MB): nginx answers itself, as JSON.
        var request = URLRequest(url: URL(string: TestStack.gateway + "/api/confirmation/staff/paper-forms")!)
        request.httpMethod = "POST"
        request.setValue(TestStack.gateway, forHTTPHeaderField: "Origin")
        request.setValue("text/csv", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(repeating: UInt8(ascii: "a"), count: 21 * 1024 * 1024)
        let (data, response) = try await Self.session.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        #expect(http.statusCode == 413)
        let body = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        #expect((body?["error"] as? [String: Any])?["code"] as? String == "too_large", "\(String(decoding: data, as: UTF8.self))")
        expectSafe(http, "the gateway's 413")
    }

    @Test func theFirstProvinceAdministratorComesFromTheOperationsCommand() async throws {
        let username = "ops_\(UInt32.random(in: 0...UInt32.max))"
        let (status, text) = try await Self.admin(["create-province-admin", username, "省考试院管理员", "13800138000"], stdin: "Adm1n#first\n")
        #expect(status == 0, "\(text)")
        #expect(text.contains("created province administrator \(username)"))

        let (code, body, response) = try await call("POST", "/api/review/staff/session", ["username": username, "password": "Adm1n#first"])
        #expect(code == 200)
        let staff = body["staff"] as? [String: Any]
        #expect(staff?["roles"] as? [String] == ["province_admin"])
        #expect(staff?["phone"] as? String == "138****8000")
        let cookie = try #require(Self.cookie(response))
        #expect(try await call("GET", "/api/review/staff/applications", cookie: cookie).0 == 200)
        // The staff session also opens the staff routes of the registration service.
        #expect(try await call("GET", "/api/registration/staff/candidates/1", cookie: cookie).0 != 401)
    }

    @Test func theOperationsCommandRefusesAWeakPassword() async throws {
        let (status, text) = try await Self.admin(["create-province-admin", "weak_admin", "管理员", "13800138000"], stdin: "12345678\n")
        #expect(status != 0)
        #expect(text.contains("password"))
    }
}
