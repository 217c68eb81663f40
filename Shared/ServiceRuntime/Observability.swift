import Foundation
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
            LoggingSystem.bootstrap { label in LineLogHandler(label: label, logLevel: level) }
            let created = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: created))
            registry = created
            return created
        }
    }
}

/// Lines on standard error, as swift-log's `StreamLogHandler` writes them, except that metadata
/// is formatted when a line is written rather than each time a key is set: Hummingbird sets a
/// request id on every request's logger, and formatting it there cost more than a percent of a
/// service's time under load, for lines almost never written.
struct LineLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { $1 } }
        if let own = event.metadata { all.merge(own) { $1 } }
        let pairs = all.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
        let line = "\(Date().ISO8601Format()) \(event.level) \(label):\(pairs) [\(event.source)] \(event.message)\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
