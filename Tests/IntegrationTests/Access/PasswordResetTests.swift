import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PostgresNIO
import RegistrationService
import Synchronization
import Testing
/// Password reset by a code sent to the registered phone.
@Suite struct PasswordResetTests {
    @Test func aCodeSentToThePhoneResetsThePasswordAndEndsOldSessions() async throws {
        try await AccessFixture.with { fixture in
            var (candidate, browser) = try await fixture.signedInCandidate()
            var stranger = Browser()
            let asked = try await fixture.send(.post, "/password-reset/code", ["documentNumber": candidate.number], as: &stranger)
            #expect(asked.status == .accepted)
            let message = try #require(fixture.sms.messages.last)
            #expect(message.phone == "13712345678")
            let code = try #require(fixture.sms.lastCode())

            let wrongCode = code == "000000" ? "111111" : "000000"
            let wrong = try await fixture.send(
                .post, "/password-reset", ["documentNumber": candidate.number, "code": wrongCode, "newPassword": "Re5et#pass"], as: &stranger)
            #expect(wrong.status == .unprocessableContent)
            #expect(wrong.errorFields == ["code"])
            let reset = try await fixture.send(
                .post, "/password-reset", ["documentNumber": candidate.number, "code": code, "newPassword": "Re5et#pass"], as: &stranger)
            #expect(reset.status == .noContent, "\(reset.text)")
            let reused = try await fixture.send(
                .post, "/password-reset", ["documentNumber": candidate.number, "code": code, "newPassword": "Other#pass9"], as: &stranger)
            #expect(reused.status == .unprocessableContent, "a code works once")

            #expect(try await fixture.send(.get, "/me", as: &browser).status == .unauthorized)
            #expect(try await fixture.send(.post, "/session", candidate.loginBody, as: &stranger).status == .unauthorized)
            #expect(try await fixture.send(.post, "/session", ["documentNumber": candidate.number, "password": "Re5et#pass"], as: &stranger).status == .ok)
        }
    }

    @Test func anUnknownNumberGetsTheSameAnswerAndNoMessage() async throws {
        try await AccessFixture.with { fixture in
            var stranger = Browser()
            let before = fixture.sms.messages.count
            let asked = try await fixture.send(.post, "/password-reset/code", ["documentNumber": Candidate.randomResidentID()], as: &stranger)
            #expect(asked.status == .accepted)
            #expect(fixture.sms.messages.count == before)
        }
    }

    @Test func codesPerAccountAreLimited() async throws {
        try await AccessFixture.with { fixture in
            let (candidate, _) = try await fixture.signedInCandidate()
            var statuses: [Int] = []
            for _ in 1...6 {
                var stranger = Browser()
                statuses.append(try await fixture.send(.post, "/password-reset/code", ["documentNumber": candidate.number], as: &stranger).status.code)
            }
            #expect(statuses == [202, 202, 202, 202, 202, 429])
        }
    }

    @Test func theHTTPSenderPostsToTheGateway() async throws {
        let received = Mutex<[(String, String)]>([])
        let router = Router()
        router.post("send") { request, _ -> HTTPResponse.Status in
            var request = request
            let body = try await request.collectBody(upTo: 10_000)
            received.withLock { $0.append((request.headers[.authorization] ?? "", String(buffer: body))) }
            return .ok
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let url = URL(string: "http://127.0.0.1:\(client.port!)/send")!
            try await HTTPSMSSender(url: url, apiKey: "k-123").send("验证码 654321", to: "13900001111")
        }
        let (authorization, body) = try #require(received.withLock { $0.first })
        #expect(authorization == "Bearer k-123")
        let json = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: String]
        #expect(json == ["phone": "13900001111", "text": "验证码 654321"])
    }
}
