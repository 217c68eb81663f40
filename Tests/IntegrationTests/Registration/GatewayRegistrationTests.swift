import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// From sign-up to `submitted` through nginx and the Registration process under ops/test.
@Suite struct GatewayRegistrationTests {
    @Test func aCandidateGoesFromSignUpToSubmittedThroughTheGateway() async throws {
        try await AccessFixture.with { fixture in try await ExamYearSetup.shared.ensure(fixture) }
        let gateway = GatewayAccessTests()
        let candidate = Candidate(county: "430102")
        #expect(try await gateway.call("POST", "/api/registration/accounts", candidate.signUpBody).0 == 201)
        let (status, body, response) = try await gateway.call("POST", "/api/registration/session", candidate.loginBody)
        #expect(status == 200)
        let cookie = try #require(GatewayAccessTests.cookie(response))
        let csrf = try #require(body["csrfToken"] as? String)

        // The service caches the current year for a few seconds: wait until it sees this one.
        var pledgeVersion: String?
        let sawYear = try await eventually(within: .seconds(10)) {
            let (code, pledge, _) = try await gateway.call("GET", "/api/registration/pledge")
            pledgeVersion = pledge["version"] as? String
            return code == 200 && pledgeVersion == "\(ExamYearSetup.year)-1"
        }
        #expect(sawYear)
        #expect(try await gateway.call("PUT", "/api/registration/registration", ["basic": ["phone": "13712345678"]], cookie: cookie, csrf: csrf).0 == 200)
        #expect(try await gateway.call("POST", "/api/registration/registration/pledge", ["version": pledgeVersion ?? ""], cookie: cookie, csrf: csrf).0 == 204)
        // (and the approved points, which it caches too)
        let submitted = try await eventually(within: .seconds(15)) {
            try await gateway.call("POST", "/api/registration/registration/submit", ExamYearSetup.form(for: candidate), cookie: cookie, csrf: csrf).0 == 200
        }
        #expect(submitted)
        let (_, view, _) = try await gateway.call("GET", "/api/registration/registration/status", cookie: cookie)
        #expect(view["status"] as? String == "submitted")
        #expect((view["nextStep"] as? String)?.contains("现场确认") == true)
    }
}
