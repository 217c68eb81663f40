import Logging
import ServiceLifecycle

/// The loop of a worker's background pass (sending notices, folding counts, reading a gauge):
/// until graceful shutdown, run `pass`; go straight on while it says more is waiting, otherwise
/// wait `interval`. A failed pass is logged by its error's type and tried again after the wait.
public enum PeriodicWork {
    public static func run(
        every interval: Duration, logger: Logger, failure: Logger.Message, _ pass: @escaping @Sendable () async throws -> Bool
    ) async {
        await runUntilGracefulShutdown("\(failure)", logger: logger) {
            while !Task.isCancelled {
                var more = false
                do {
                    more = try await pass()
                } catch {
                    if Task.isCancelled { return }
                    logger.warning(failure, metadata: ["error": "\(String(reflecting: type(of: error)))"])
                }
                if !more { try? await Task.sleep(for: interval) }
            }
        }
    }
}
