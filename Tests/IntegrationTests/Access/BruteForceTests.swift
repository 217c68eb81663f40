import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Testing
/// At most 100 failed logins per account per hour, from any number of addresses; then one more
/// each 36 s, so the real user is kept out for seconds, not an hour.
@Suite struct BruteForceTests {
    /// GCRA gives back one attempt each 36 s, so on a loaded machine, where 100 password checks
    /// can take longer than that, a few more than 100 may pass: the bound is 100 plus one per 36 s
    /// of the attack, and the refusal must come.
    @Test func the101stFailureIsRefusedAndTheRealUserGetsInAfterTheWait() async throws {
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
            #expect(refused.errorCode == "rate_limited")
            let wait = try #require(Int(refused.headers[.retryAfter] ?? ""))
            #expect((1...37).contains(wait))

            // The owner is refused too, for now: the budget is the account's.
            #expect(try await fixture.send(.post, "/session", candidate.loginBody, as: &owner).status == .tooManyRequests)
            try await Task.sleep(for: .seconds(wait))
            let login = try await fixture.send(.post, "/session", candidate.loginBody, as: &owner)
            #expect(login.status == .ok, "\(login.text)")
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
