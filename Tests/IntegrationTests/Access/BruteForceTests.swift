import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Testing
/// At most 100 failed logins per account per hour, from any number of addresses; then a password
/// alone is not enough (one more each 36 s), and the account's owner gets in with a code sent to
/// the registered phone, which strangers cannot read.
@Suite struct BruteForceTests {
    /// GCRA gives back one attempt each 36 s, so on a loaded machine, where 100 password checks
    /// can take longer than that, a few more than 100 may pass: the bound is 100 plus one per 36 s
    /// of the attack, and the refusal must come.
    @Test func the101stFailureIsRefusedAndTheOwnerGetsInWithACodeSentToTheirPhone() async throws {
        try await AccessFixture.with { fixture in
            let candidate = Candidate()
            var owner = Browser()
            #expect(try await fixture.send(.post, "/accounts", candidate.signUpBody, as: &owner).status == .created)

            let start = ContinuousClock.now
            var failures = 0
            var refusal: TestResponse?
            while refusal == nil && failures < 140 {
                // Four at a time, each from a new address: the account's budget counts them all.
                let sent = failures
                try await withThrowingTaskGroup(of: TestResponse.self) { group in
                    for attempt in 0..<4 {
                        group.addTask {
                            var attacker = Browser()
                            return try await fixture.send(.post, "/session", ["documentNumber": candidate.number, "password": "guess-\(sent + attempt)"], as: &attacker)
                        }
                    }
                    for try await response in group {
                        switch response.status {
                        case .unauthorized: failures += 1
                        case .tooManyRequests: refusal = response
                        default: Issue.record("unexpected \(response.status): \(response.text)")
                        }
                    }
                }
            }
            let elapsed = Int((ContinuousClock.now - start).components.seconds)
            let refused = try #require(refusal, "no refusal after \(failures) failures")
            #expect(failures >= 100)
            #expect(failures <= 100 + elapsed / 36 + 4, "\(failures) failures in \(elapsed) s")
            #expect(refused.errorCode == "login.code_required")
            let wait = try #require(Int(refused.headers[.retryAfter] ?? ""))
            #expect((1...37).contains(wait))

            // The owner was told, once, by SMS.
            let notices = fixture.sms.messages.filter { $0.text.contains("多次被输入错误密码") }
            #expect(notices.count == 1, "\(notices)")
            #expect(notices.first?.phone == "13712345678")

            // A password alone no longer gets in, not even the right one; nor does a made-up code.
            #expect(try await fixture.send(.post, "/session", candidate.loginBody, as: &owner).errorCode == "login.code_required")
            var attacker = Browser()
            let strangersCode = try await fixture.send(.post, "/session/code", ["documentNumber": candidate.number], as: &attacker)
            #expect(strangersCode.status == .accepted)
            let strangersChallenge = try #require(strangersCode.json["challenge"] as? String)
            for guess in ["000000", "123456", "999999"] {
                let tried = try await fixture.send(
                    .post, "/session", candidate.loginBody.merging(["code": guess, "challenge": strangersChallenge]) { $1 }, as: &attacker)
                #expect(tried.status == .unprocessableContent && tried.errorFields == ["code"], "\(tried.text)")
            }

            // The owner asks for a code, gets it on the registered phone, and is in at once; the
            // stranger's wrong guesses spent nothing of the owner's.
            let asked = try await fixture.send(.post, "/session/code", ["documentNumber": candidate.number], as: &owner)
            #expect(asked.status == .accepted)
            let challenge = try #require(asked.json["challenge"] as? String)
            let code = try #require(fixture.sms.lastCode())
            let withCode = try await fixture.send(.post, "/session", candidate.loginBody.merging(["code": code, "challenge": challenge]) { $1 }, as: &owner)
            #expect(withCode.status == .ok, "\(withCode.text)")
            // A code works once.
            var other = Browser()
            let reused = try await fixture.send(.post, "/session", candidate.loginBody.merging(["code": code, "challenge": challenge]) { $1 }, as: &other)
            #expect(reused.status == .unprocessableContent && reused.errorFields == ["code"], "\(reused.text)")
            // An account nobody has: the same answers, so a stranger learns nothing.
            let nobody = try await fixture.send(.post, "/session/code", ["documentNumber": Candidate.randomResidentID()], as: &other)
            #expect(nobody.status == .accepted && (nobody.json["challenge"] as? String)?.count == 32)
        }
    }

    /// All at once, so the check (before the password hash) sees them together on any machine.
    @Test func oneAddressIsLimitedAcrossAccounts() async throws {
        try await AccessFixture.with { fixture in
            let attacker = Browser()
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 1...80 {
                    group.addTask {
                        var browser = attacker
                        return try await fixture.send(.post, "/session", ["documentNumber": Candidate.randomResidentID(), "password": "whatever1"], as: &browser).status.code
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(Set(statuses).isSubset(of: [401, 429]))
            #expect(statuses.filter { $0 == 401 }.count >= 60)
            #expect(statuses.filter { $0 == 429 }.count >= 15, "60 at once, then one a second")
        }
    }
}
