import Logging
import Metrics
import Prometheus
import Synchronization

/// Logging and metrics are process-wide; both may be bootstrapped only once per process.
enum Observability {
    private static let bootstrapped = Mutex<PrometheusCollectorRegistry?>(nil)

    /// Logs go to standard error as lines; metrics to a Prometheus registry that `/metrics` emits.
    static func bootstrap(level: Logger.Level) -> PrometheusCollectorRegistry {
        bootstrapped.withLock { registry in
            if let registry { return registry }
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
            let created = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: created))
            registry = created
            return created
        }
    }
}
