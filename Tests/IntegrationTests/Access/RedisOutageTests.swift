import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Settings
import Synchronization
import Testing
/// With Redis down, login and sign-up answer 503 (fail closed: no unchecked login, no crash) and
/// signed-in requests 503 too; all normal again when Redis is back.
@Suite struct RedisOutageTests {
    @Test func loginAndSignUpAnswer503WhileRedisIsDownAndRecover() async throws {
        let port = unusedPort()
        let redis = Mutex(try await startRedis(port: port))
        defer { redis.withLock { $0.terminate() } }
        var settings = TestStack.redis
        settings.port = port
        settings.commandTimeout = .seconds(1)
        try await AccessFixture.with(redis: settings) { fixture in
            var (candidate, browser) = try await fixture.signedInCandidate()

            let running = redis.withLock { $0.processIdentifier }
            kill(running, SIGTERM)
            _ = try await eventually(within: .seconds(10)) { !portIsOpen(port) }
            var stranger = Browser()
            let signUp = try await fixture.send(.post, "/accounts", Candidate().signUpBody, as: &stranger)
            #expect(signUp.status == .serviceUnavailable)
            #expect(signUp.headers[.retryAfter] != nil)
            let login = try await fixture.send(.post, "/session", candidate.loginBody, as: &stranger)
            #expect(login.status == .serviceUnavailable)
            #expect(try await fixture.send(.get, "/me", as: &browser).status == .serviceUnavailable)
            #expect(try await fixture.send(.post, "/staff/session", ["username": "someone", "password": "whatever1"], as: &stranger).status == .serviceUnavailable)

            let restarted = try await startRedis(port: port)
            redis.withLock { $0 = restarted }
            let recovered = try await eventually(within: .seconds(10)) {
                var again = Browser()
                return try await fixture.send(.post, "/session", candidate.loginBody, as: &again).status == .ok
            }
            #expect(recovered)
            // The session store was emptied with the server (no persistence here): sign in again.
            var fresh = Browser()
            #expect(try await fixture.send(.post, "/accounts", Candidate().signUpBody, as: &fresh).status == .created)
        }
    }

    private func startRedis(port: Int) async throws -> Process {
        let process = spawnable("/usr/bin/redis-server", ["--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        _ = try await eventually(within: .seconds(5)) { portIsOpen(port) }
        return process
    }
}
