import Foundation
import FoundationNetworking
import Testing

/// Starts the real service executables (the build that ops/test made) as separate processes.
@Suite struct ServiceProcessTests {
    static let services = ["Registration", "Confirmation", "PaymentCallback", "Review", "Arrangement", "DocumentGeneration"]

    /// Runs a service to completion with extra settings; returns its exit code and standard error.
    /// (Waiting blocks, so it happens off the test pool.) Each of these is meant to stop at once: one
    /// still running after 60 s fails the test instead of holding up the run.
    private func runToExit(_ service: String, _ environment: [String: String], arguments: [String] = []) async throws -> (Int32, String) {
        let (status, errorText, killed) = try await offThePool {
            let process = try Self.launch(service, environment, arguments: arguments)
            process.kill(after: 60)
            // Read before waiting: a child blocked on a full pipe would never exit.
            let errorText = String(decoding: (process.standardError as! Pipe).fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            let killed = process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL
            return (process.terminationStatus, errorText, killed)
        }
        #expect(!killed, "\(service) did not stop within 60 s")
        return (status, errorText)
    }

    private func launch(_ service: String, _ environment: [String: String], arguments: [String] = []) throws -> Process {
        try Self.launch(service, environment, arguments: arguments)
    }

    private static func launch(_ service: String, _ environment: [String: String], arguments: [String] = []) throws -> Process {
        let process = spawnable(TestStack.binDirectory.appendingPathComponent(service).path, arguments)
        process.environment = ProcessInfo.processInfo.environment.merging(["LOG_LEVEL": "warning"].merging(environment) { $1 }) { $1 }
        process.standardError = Pipe()
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// The one line a failed start prints, which names the setting to fix.
    private func onlyLine(_ text: String) -> String? {
        let lines = text.split(separator: "\n")
        return lines.count == 1 ? String(lines[0]) : nil
    }

    @Test(arguments: [
        (["POSTGRES_PORT": "not-a-port"], "invalid setting POSTGRES_PORT=not-a-port"),
        (["REDIS_PORT": "99999"], "invalid setting REDIS_PORT=99999"),
        (["ROLE": "manager"], "invalid setting ROLE=manager: expected one of: api, worker"),
        (["POSTGRES_HOST": "no-such-host.invalid"], "POSTGRES_HOST=no-such-host.invalid: the host name does not resolve"),
        (["AMQP_HOST": "no-such-host.invalid"], "AMQP_HOST=no-such-host.invalid: the host name does not resolve"),
    ])
    func aBadSettingStopsTheServiceWithOneLineNamingIt(environment: [String: String], expected: String) async throws {
        let (status, errorText) = try await runToExit("Review", environment.merging(["HTTP_PORT": "\(unusedPort())"]) { $1 })
        #expect(status != 0)
        let line = try #require(onlyLine(errorText), "expected one line, got: \(errorText)")
        #expect(line.hasPrefix("Review: cannot run: "))
        #expect(line.contains(expected))
    }

    @Test func aFlagOverridesTheEnvironment() async throws {
        let (status, errorText) = try await runToExit("Review", ["HTTP_PORT": "8000"], arguments: ["--http-port", "eighty"])
        #expect(status == 78)
        #expect(onlyLine(errorText)?.contains("HTTP_PORT=eighty") == true)
    }

    @Test func aServerThatNeverAnswersStopsTheServiceNamingItsSettings() async throws {
        let port = unusedPort()
        let (status, errorText) = try await runToExit(
            "Arrangement", ["REDIS_PORT": "\(port)", "STARTUP_TIMEOUT": "1.5", "HTTP_PORT": "\(unusedPort())", "LOG_LEVEL": "error"])
        #expect(status != 0)
        let line = try #require(onlyLine(errorText), "expected one line, got: \(errorText)")
        #expect(line.contains("cannot reach redis (REDIS_HOST=127.0.0.1 REDIS_PORT=\(port))"))
    }

    /// The worker role (what ops/scale starts) serves health and metrics on its own port.
    @Test func theWorkerRoleRunsAndReportsItsHealth() async throws {
        let httpPort = unusedPort()
        let worker = try launch("Review", ["ROLE": "worker", "HTTP_PORT": "\(httpPort)"])
        defer { worker.stop() }
        let health = try #require(try await waitForHealth(httpPort, status: 200, within: .seconds(30)))
        #expect(health.service == "Review")
        let (data, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(httpPort)/metrics")!)
        #expect(String(decoding: data, as: UTF8.self).contains("# TYPE hb_requests counter"))
    }

    /// Its own Redis, so that stopping it disturbs no other test.
    @Test func healthFollowsRedisDownAndBackUp() async throws {
        let redisPort = unusedPort()
        let httpPort = unusedPort()
        var redis = try startRedis(port: redisPort)
        let service = try launch("Confirmation", ["REDIS_PORT": "\(redisPort)", "HTTP_PORT": "\(httpPort)", "REDIS_TIMEOUT": "1"])
        defer {
            service.stop()
            redis.stop()
        }
        #expect(try await waitForHealth(httpPort, status: 200, within: .seconds(30)) != nil)

        redis.terminate()
        let stopping = redis
        _ = try await offThePool { stopping.waitUntilExit() }
        let down = try #require(try await waitForHealth(httpPort, status: 503, within: .seconds(10)))
        #expect(down.failed == ["redis"])
        #expect(down.checks["postgres"] == "ok")
        #expect(down.checks["rabbitmq"] == "ok")
        // Alive all the same: a supervisor must wait for Redis, not restart the process.
        let (_, live) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(httpPort)/health/live")!)
        #expect((live as? HTTPURLResponse)?.statusCode == 204)

        redis = try startRedis(port: redisPort)
        #expect(try await waitForHealth(httpPort, status: 200, within: .seconds(10)) != nil)
    }

    @Test func sigtermShutsDownGracefully() async throws {
        let httpPort = unusedPort()
        let service = try launch("DocumentGeneration", ["HTTP_PORT": "\(httpPort)"])
        #expect(try await waitForHealth(httpPort, status: 200, within: .seconds(30)) != nil)
        service.terminate()  // SIGTERM
        let deadline = ContinuousClock.now + .seconds(10)
        while service.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!service.isRunning)
        #expect(service.terminationStatus == 0)
        #expect(!portIsOpen(httpPort))
    }

    @Test(arguments: [
        ("registration", "Registration"), ("confirmation", "Confirmation"), ("payment", "PaymentCallback"),
        ("review", "Review"), ("arrangement", "Arrangement"), ("documents", "DocumentGeneration"),
    ])
    func everyServiceIsHealthyThroughTheGateway(path: String, service: String) async throws {
        let (data, response) = try await URLSession.shared.data(from: URL(string: "\(TestStack.gateway)/api/\(path)/health")!)
        let http = try #require(response as? HTTPURLResponse)
        #expect(http.statusCode == 200)
        let report = try JSONDecoder().decode(Health.self, from: data)
        #expect(report.service == service)
        #expect(report.status == "ok")
        #expect(report.checks == ["postgres": "ok", "redis": "ok", "rabbitmq": "ok"])
    }

    @Test func theGatewayAnswersUnknownPathsWith404() async throws {
        let (_, response) = try await URLSession.shared.data(from: URL(string: "\(TestStack.gateway)/api/nothing/here")!)
        #expect((response as? HTTPURLResponse)?.statusCode == 404)
    }

    @Test func metricsAreExposedInPrometheusText() async throws {
        _ = try await URLSession.shared.data(from: URL(string: "\(TestStack.gateway)/api/review/health")!)
        let (data, _) = try await URLSession.shared.data(from: URL(string: "\(TestStack.gateway)/api/review/metrics")!)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("# TYPE hb_requests counter"))
        #expect(text.contains("http_route=\"/health\""))
    }

    // MARK: helpers

    struct Health: Decodable {
        let service: String
        let status: String
        let failed: [String]
        let checks: [String: String]
    }

    private func startRedis(port: Int) throws -> Process {
        let redis = spawnable("/usr/bin/redis-server", ["--bind", "127.0.0.1", "--port", "\(port)", "--save", "", "--appendonly", "no"])
        redis.standardOutput = FileHandle.nullDevice
        try redis.run()
        return redis
    }

    /// Polls /health until it answers `status`; nil if it never did within the time.
    private func waitForHealth(_ port: Int, status: Int, within limit: Duration) async throws -> Health? {
        let deadline = ContinuousClock.now + limit
        let url = URL(string: "http://127.0.0.1:\(port)/health")!
        while ContinuousClock.now < deadline {
            if let (data, response) = try? await URLSession.shared.data(from: url),
                (response as? HTTPURLResponse)?.statusCode == status
            {
                return try JSONDecoder().decode(Health.self, from: data)
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }
}
