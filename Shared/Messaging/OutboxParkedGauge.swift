import Logging
import Metrics
import PostgresNIO
import ServiceLifecycle

/// A parked event (one no queue took) is an error: every event has a consumer. Each worker
/// reports how many are parked as the gauge `outbox_parked_events`, read every 15 s from a
/// partial index that holds only parked rows; `ops/status` shows the same number.
public struct OutboxParkedGauge: Service {
    private static let interval: Duration = .seconds(15)
    private let postgres: PostgresClient
    private let logger: Logger
    private let gauge = Gauge(label: "outbox_parked_events")

    public init(postgres: PostgresClient, logger: Logger) {
        self.postgres = postgres
        self.logger = logger
    }

    public func run() async throws {
        await PeriodicWork.run(every: Self.interval, logger: logger, failure: "parked events not counted") {
            gauge.record(try await parked())
            return false
        }
    }

    func parked() async throws -> Int {
        try await postgres.query("SELECT count(*)::int FROM outbox_event WHERE parked_at IS NOT NULL", logger: logger)
            .decode(Int.self).first { _ in true } ?? 0
    }
}
