import Foundation
import Settings

/// A process as ops/ would start it. The test runner's threads block most signals and a child
/// inherits that mask, so the child is started through python3, which clears it: then SIGTERM
/// reaches the child as it would in production.
func spawnable(_ executable: String, _ arguments: [String]) -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
    process.arguments = [
        "-c", "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, set()); os.execv(sys.argv[1], sys.argv[1:])",
        executable,
    ] + arguments
    return process
}

/// The messaging probe (Tests/Support/MessagingProbe) against a scratch database.
func startProbe(_ arguments: [String], database: String, amqpPort: Int? = nil) throws -> Process {
    let process = spawnable(TestStack.binDirectory.appendingPathComponent("MessagingProbe").path, arguments)
    var environment = ProcessInfo.processInfo.environment
    environment["POSTGRES_DATABASE"] = database
    environment["POSTGRES_USER"] = TestStack.value("POSTGRES_OWNER_USER")
    environment["POSTGRES_PASSWORD"] = TestStack.value("POSTGRES_OWNER_PASSWORD")
    environment["POSTGRES_PORT"] = "\(TestStack.postgres.port)"
    environment["AMQP_PORT"] = "\(amqpPort ?? TestStack.amqp.port)"
    process.environment = environment
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
}

/// Waits until `condition` holds, checking every 100 ms; false if it never did within the time.
func eventually(within limit: Duration, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(100))
    }
    return try await condition()
}

/// Runs blocking work (waiting for a process, reading a pipe to its end, a long scan) on a
/// thread of its own: Swift Testing runs every test on the cooperative pool, which has one
/// thread per core here, and one blocked thread stalls half of all tests.
func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
    }
}

extension Process {
    /// Cleanup that never leaves a child behind: SIGTERM now, SIGKILL in 10 s if it is still
    /// running. (A relay whose database was dropped under it once ignored SIGTERM and outlived
    /// the test run.)
    func stop() {
        terminate()
        kill(after: 10)
    }

    /// SIGKILL in `seconds` if it is still running then.
    func kill(after seconds: Double) {
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
            if self.isRunning { Foundation.kill(self.processIdentifier, SIGKILL) }
        }
    }
}

/// Keeps a test that loads the whole machine (thousands of events, workers killed and started)
/// apart from tests whose limits are seconds of wall time: they take turns. (The session-limit
/// test's busy session ended when it ran beside the 10,000-event statistics test.)
actor MachineLoad {
    static let shared = MachineLoad()
    /// Registration workers consume every Registration queue: a test that starts one would take
    /// another's paper forms or notices (the kill test once found its batch finished by the notice
    /// test's worker). Such tests take turns here.
    static let registrationWorkers = MachineLoad()
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func alone<T: Sendable>(_ body: @Sendable () async throws -> T) async rethrows -> T {
        while busy { await withCheckedContinuation { waiting.append($0) } }
        busy = true
        defer {
            busy = false
            if !waiting.isEmpty { waiting.removeFirst().resume() }
        }
        return try await body()
    }
}
