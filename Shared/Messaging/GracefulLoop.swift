import Logging
import ServiceLifecycle
import Synchronization

/// Runs a background service's loop until graceful shutdown, then cancels it and waits for it at
/// most `grace`.
///
/// A loop stuck in a wait that misses its cancellation is left behind rather than holding the
/// process up: postgres-nio checks for cancellation before it queues a lease, so a cancellation
/// landing between the two leaves the lease waiting for a connection, which never comes when
/// the database is gone (seen as a relay ignoring SIGTERM after its database was dropped). The
/// service group then shuts the PostgreSQL client down, which fails that lease and ends the loop.
/// Nothing is lost by leaving it: its transaction was not committed, so it is rolled back.
public func runUntilGracefulShutdown(
    _ name: String, grace: Duration = .seconds(5), logger: Logger, _ loop: @escaping @Sendable () async -> Void
) async {
    let (ended, ending) = AsyncStream<Void>.makeStream()
    let finished = LoopFinished()
    let work = Task {
        await loop()
        finished.mark()
        ending.finish()
    }
    await withTaskCancellationHandler {
        await withGracefulShutdownHandler {
            for await _ in ended {}
        } onGracefulShutdown: {
            work.cancel()
            Task {
                try? await Task.sleep(for: grace)
                ending.finish()
            }
        }
    } onCancel: {
        work.cancel()
        ending.finish()
    }
    if !finished.value {
        logger.warning("\(name) did not stop within \(grace) of the shutdown; left to end with its clients")
    }
}

private final class LoopFinished: Sendable {
    private let state = Mutex(false)
    var value: Bool { state.withLock { $0 } }
    func mark() { state.withLock { $0 = true } }
}
