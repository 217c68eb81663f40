import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Testing
/// Candidate and staff sessions: new token at login, server-side logout, timeouts, cookies, CSRF.
@Suite struct SessionTests {
    @Test func loginIssuesANewTokenAndTheOldOneStopsWorking() async throws {
        try await AccessFixture.with { fixture in
            let (candidate, firstBrowser) = try await fixture.signedInCandidate()
            let oldToken = try #require(firstBrowser.cookies["exam_candidate_session"])
            // The same browser logs in again (or an attacker planted this token before login).
            var browser = firstBrowser
            let again = try await fixture.send(.post, "/session", candidate.loginBody, as: &browser)
            #expect(again.status == .ok)
            let newToken = try #require(browser.cookies["exam_candidate_session"])
            #expect(newToken != oldToken)
            #expect(newToken.count >= 40, "at least 128 random bits, base64")

            var stale = firstBrowser
            #expect(try await fixture.send(.get, "/me", as: &stale).status == .unauthorized)
            #expect(try await fixture.send(.get, "/me", as: &browser).status == .ok)
        }
    }

    @Test func afterLogoutTheSameCookieIsRefused() async throws {
        try await AccessFixture.with { fixture in
            var (_, browser) = try await fixture.signedInCandidate()
            let replay = browser
            let logout = try await fixture.send(.delete, "/session", as: &browser)
            #expect(logout.status == .noContent)
            #expect(logout.headers[values: .setCookie].contains { $0.contains("Max-Age=0") })
            var attacker = replay
            let replayed = try await fixture.send(.get, "/me", as: &attacker)
            #expect(replayed.status == .unauthorized)
            #expect(replayed.errorCode == "unauthenticated")
        }
    }

    @Test func theSessionCookieIsHttpOnlyStrictAndEndsWithTheBrowser() async throws {
        try await AccessFixture.with { fixture in
            let candidate = Candidate()
            var browser = Browser()
            _ = try await fixture.send(.post, "/accounts", candidate.signUpBody, as: &browser)
            let login = try await fixture.send(.post, "/session", candidate.loginBody, as: &browser)
            let cookie = try #require(login.headers[values: .setCookie].first { $0.hasPrefix("exam_candidate_session=") })
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Strict"))
            #expect(!cookie.contains("Expires"), "a browser-session cookie; the server decides when the session ends")
        }
    }

    @Test func aSessionEndsWhenIdleAndAtItsAbsoluteLimitEvenWhenBusy() async throws {
        // Limits of seconds, with margins a loaded CI machine's slow requests fit in: a request
        // every 0.3 s keeps a 6 s idle limit (renewed after a quarter of it) alive even when one
        // takes four seconds (a 2 s limit once ended a busy session while the suite's
        // 10,000-event statistics test ran beside it; a 4 s one while the whole suite started).
        try await MachineLoad.shared.alone {
            try await AccessFixture.with(settings: ["SESSION_IDLE_TIMEOUT": "6", "SESSION_ABSOLUTE_TIMEOUT": "15"]) { fixture in
                var (_, idle) = try await fixture.signedInCandidate()
                try await Task.sleep(for: .seconds(7))
                #expect(try await fixture.send(.get, "/me", as: &idle).status == .unauthorized)

                var (_, busy) = try await fixture.signedInCandidate()
                let signedIn = ContinuousClock.now
                while ContinuousClock.now - signedIn < .seconds(7.5) {
                    let answer = try await fixture.send(.get, "/me", as: &busy)
                    #expect(answer.status == .ok, "use keeps an idle-limited session alive: \(answer.status) \(answer.text)")
                    try await Task.sleep(for: .milliseconds(300))
                }
                try await Task.sleep(until: signedIn + .seconds(15.5))
                #expect(try await fixture.send(.get, "/me", as: &busy).status == .unauthorized, "past the absolute limit")
            }
        }
    }

    @Test func aCrossSiteFormPostIsRefused() async throws {
        try await AccessFixture.with { fixture in
            var (_, browser) = try await fixture.signedInCandidate()
            // What a page on another site can make a browser send: a form, the cookie, no token.
            var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .cookie: browser.cookieHeader, .origin: "https://evil.example"]
            let crossSite = try await fixture.send(.post, "/me/phone", raw: Array("phone=13000000000&currentPassword=x".utf8), headers: headers)
            #expect(crossSite.status == .forbidden)
            #expect(crossSite.errorCode == "cross_site")

            headers[.origin] = nil
            headers[.referer] = "https://evil.example/page"
            #expect(try await fixture.send(.post, "/me/phone", raw: Array("{}".utf8), headers: headers).status == .forbidden)

            // Our own origin, but without the session's token (it cannot be read cross-site).
            var noToken = browser
            noToken.csrfToken = nil
            let missing = try await fixture.send(.post, "/me/phone", ["phone": "13000000000", "currentPassword": "Zk8#mq2Lw"], as: &noToken)
            #expect(missing.status == .forbidden)
            #expect(missing.errorCode == "csrf")

            // Login and sign-up forms from another site are refused too (login CSRF).
            var stranger = Browser()
            let signUp = try await fixture.send(.post, "/accounts", Candidate().signUpBody, as: &stranger, headers: [.origin: "https://evil.example"])
            #expect(signUp.status == .forbidden)

            let allowed = try await fixture.send(.post, "/me/phone", ["phone": "13000000000", "currentPassword": "Zk8#mq2Lw"], as: &browser)
            #expect(allowed.status == .ok, "\(allowed.text)")
        }
    }

    @Test func changingThePasswordNeedsTheCurrentOneAndEndsEverySession() async throws {
        try await AccessFixture.with { fixture in
            var (candidate, browser) = try await fixture.signedInCandidate()
            var otherDevice = Browser()
            _ = try await fixture.send(.post, "/session", candidate.loginBody, as: &otherDevice)
            #expect(try await fixture.send(.get, "/me", as: &otherDevice).status == .ok)

            let wrong = try await fixture.send(.post, "/me/password", ["currentPassword": "not-it-at-all", "newPassword": "N3w#secret"], as: &browser)
            #expect(wrong.status == .forbidden)
            #expect(wrong.errorFields == ["currentPassword"])
            let weak = try await fixture.send(.post, "/me/password", ["currentPassword": candidate.password, "newPassword": "password"], as: &browser)
            #expect(weak.status == .unprocessableContent)
            let changed = try await fixture.send(.post, "/me/password", ["currentPassword": candidate.password, "newPassword": "N3w#secret"], as: &browser)
            #expect(changed.status == .noContent, "\(changed.text)")
            #expect(try await fixture.send(.get, "/me", as: &otherDevice).status == .unauthorized)
            var fresh = Browser()
            let login = try await fixture.send(.post, "/session", ["documentNumber": candidate.number, "password": "N3w#secret"], as: &fresh)
            #expect(login.status == .ok)
        }
    }

    @Test func changingThePhoneNeedsTheCurrentPasswordAndIsAudited() async throws {
        try await AccessFixture.with { fixture in
            var (candidate, browser) = try await fixture.signedInCandidate()
            let wrong = try await fixture.send(.post, "/me/phone", ["currentPassword": "not-it-at-all", "phone": "13600001111"], as: &browser)
            #expect(wrong.status == .forbidden)
            let changed = try await fixture.send(.post, "/me/phone", ["currentPassword": candidate.password, "phone": "13600001111"], as: &browser)
            #expect(changed.status == .ok)
            #expect(changed.json["phone"] as? String == "136****1111")
            let rows = try await fixture.postgres.query(
                "SELECT count(*) FROM audit_event WHERE actor_kind = 'candidate' AND action = 'candidate.phone.change' AND target_id = \(String(candidate.id))",
                logger: TestStack.logger)
            for try await count in rows.decode(Int.self) { #expect(count == 1) }
        }
    }

    @Test func aCandidateSessionDoesNotOpenStaffRoutes() async throws {
        try await AccessFixture.with { fixture in
            var (candidate, browser) = try await fixture.signedInCandidate()
            #expect(try await fixture.send(.get, "/staff/me", as: &browser).status == .unauthorized)
            #expect(try await fixture.send(.get, "/staff/candidates/\(candidate.id)", as: &browser).status == .unauthorized)
            // Even the same token under the staff cookie's name.
            browser.cookies["exam_staff_session"] = browser.cookies["exam_candidate_session"]
            #expect(try await fixture.send(.get, "/staff/me", as: &browser).status == .unauthorized)
        }
    }
}
