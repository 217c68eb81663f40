import Logging
import Messaging
import ServiceLifecycle
import Synchronization
import Testing

/// A background loop stops on graceful shutdown; one stuck in a wait that misses its
/// cancellation (as a PostgreSQL lease queued just after its task was cancelled) does not hold
/// the process up beyond the grace period.
@Suite struct GracefulLoopTests {
    static let logger = Logger(label: "graceful-loop-test")

    struct Looping: Service {
        let grace: Duration
        let loop: @Sendable () async -> Void
        func run() async throws { await runUntilGracefulShutdown("test loop", grace: grace, logger: GracefulLoopTests.logger, loop) }
    }

    /// Shuts the group down 100 ms after it starts; how long it took from then to end.
    static func shutdownTime(of service: Looping) async throws -> Duration {
        let group = ServiceGroup(services: [service], logger: logger)
        let asked = Moment()
        return try await withThrowingTaskGroup(of: Duration?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return asked.value.withLock { $0 }.map { $0.duration(to: .now) } ?? .zero
            }
            tasks.addTask {
                try await Task.sleep(for: .milliseconds(100))
                asked.value.withLock { $0 = .now }
                await group.triggerGracefulShutdown()
                return nil
            }
            var waited: Duration = .zero
            for try await result in tasks { if let result { waited = result } }
            return waited
        }
    }

    @Test func aLoopThatHonoursCancellationEndsAtOnce() async throws {
        let passes = Counter()
        let time = try await Self.shutdownTime(of: Looping(grace: .seconds(30)) {
            while !Task.isCancelled {
                passes.value.withLock { $0 += 1 }
                try? await Task.sleep(for: .milliseconds(5))
            }
        })
        #expect(time < .seconds(5))
        #expect(passes.value.withLock { $0 } >= 1, "it ran")
    }

    @Test func aLoopStuckPastItsCancellationIsLeftBehindAfterTheGrace() async throws {
        let stuck = Stuck()
        let started = ContinuousClock.now
        async let time = Self.shutdownTime(of: Looping(grace: .milliseconds(300)) { await stuck.wait() })
        let waited = try await time
        #expect(waited >= .milliseconds(250), "the grace is given")
        #expect(waited < .seconds(5), "and then the process may stop")
        #expect(started.duration(to: .now) < .seconds(6))
        stuck.release()
    }
}

/// A wait with no cancellation handler, released by the test.
final class Stuck: Sendable {
    private let waiting = Mutex<CheckedContinuation<Void, Never>?>(nil)
    private let released = Mutex(false)

    func wait() async {
        await withCheckedContinuation { continuation in
            let resumeNow = released.withLock { $0 }
            if resumeNow { continuation.resume() } else { waiting.withLock { $0 = continuation } }
        }
    }

    func release() {
        released.withLock { $0 = true }
        waiting.withLock { $0?.resume(); $0 = nil }
    }
}

final class Moment: Sendable {
    let value = Mutex<ContinuousClock.Instant?>(nil)
}

final class Counter: Sendable {
    let value = Mutex(0)
}
