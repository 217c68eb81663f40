import Foundation
import Hummingbird
import Logging
import Messaging
import NIOCore
import PostgresNIO
import Prometheus
import Redis
import ServiceLifecycle
import Settings
import Storage

/// Runs a service process: reads its settings, connects, proves its dependencies answer, then
/// serves its API (role `api`) or runs its background work (role `worker`) until SIGTERM/SIGINT.
///
/// A process that cannot start says why in one line on standard error, naming the setting to
/// fix, and exits non-zero: no stack trace for an operator to read through.
public enum ServiceMain {
    public static func run(_ definition: ServiceDefinition, arguments: [String] = CommandLine.arguments) async -> Int32 {
        let settings: ServiceSettings
        let reader = SettingsReader(arguments: arguments)
        do {
            settings = try ServiceSettings(reader: reader, defaultPort: definition.defaultPort)
        } catch {
            return fail(definition, "invalid setting \(error)", code: 78)
        }
        let registry = Observability.bootstrap(level: settings.logLevel)
        let logger = {
            var logger = Logger(label: "exam.\(definition.name.lowercased())")
            logger[metadataKey: "role"] = "\(settings.role.rawValue)"
            return logger
        }()

        // The pool logs every failed connection attempt at info; the health check reports those.
        var poolLogger = logger
        poolLogger.logLevel = max(settings.logLevel, .warning)
        let postgres = PostgresClient(configuration: .init(settings: settings.postgres), backgroundLogger: poolLogger)
        let redis = RedisClient(settings: settings.redis, logger: logger)
        let amqp = AMQPClient(settings: settings.amqp, topology: Topology(workQueues: SystemQueues.all), logger: logger)
        let dependencies = Dependencies(settings: settings, reader: reader, postgres: postgres, redis: redis, amqp: amqp, logger: logger)
        let checks = DependencyCheck.all(dependencies)

        let router = Router()
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: UnexpectedErrorMiddleware())
        router.get("health") { _, _ in await health(of: definition.name, checks) }
        // Liveness: the process answers, whatever its dependencies say (a supervisor restarts a
        // process that stops answering; one whose database is down is waited for, not killed).
        router.get("health/live") { _, _ in Response(status: .noContent, headers: [.cacheControl: "no-store"]) }
        router.get("metrics") { _, _ in
            var buffer = [UInt8]()
            registry.emit(into: &buffer)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
        var services: [any Service] = [postgres, redis, amqp]
        switch settings.role {
        case .api:
            do {
                try definition.addRoutes(router, dependencies)
            } catch {
                return fail(definition, "invalid setting \(error)", code: 78)
            }
        case .worker:
            // Every worker also relays the outbox: relays share the work safely, so scaling any
            // service's workers also scales event publishing.
            services.append(OutboxRelay(postgres: postgres, publisher: amqp, logger: logger))
            services.append(MessageRetention(postgres: postgres, logger: logger))
            services.append(OutboxParkedGauge(postgres: postgres, logger: logger))
            do {
                services += try definition.workers(dependencies)
            } catch {
                return fail(definition, "invalid setting \(error)", code: 78)
            }
        }
        var app = Application(
            router: router,
            configuration: .init(address: .hostname(settings.http.host, port: settings.http.port), serverName: definition.name),
            services: services,
            logger: logger)
        app.beforeServerStarts {
            try await awaitDependencies(checks, within: settings.startupTimeout, logger: logger)
        }
        do {
            try await app.runService()
            return 0
        } catch let failure as StartupFailure {
            return fail(definition, failure.description, code: 69)
        } catch {
            return fail(definition, DependencyCheck.summary(of: error), code: 1)
        }
    }

    private static func fail(_ definition: ServiceDefinition, _ message: String, code: Int32) -> Int32 {
        FileHandle.standardError.write(Data("\(definition.name): cannot run: \(message)\n".utf8))
        return code
    }

    /// Waits until every dependency answers, retrying, so that a process started together with
    /// its servers does not fail for being first; gives up after `within`.
    static func awaitDependencies(_ checks: [DependencyCheck], within timeout: Duration, logger: Logger) async throws {
        let deadline = ContinuousClock.now + timeout
        for check in checks {
            guard await check.hostResolves() else {
                throw StartupFailure(description: "\(check.host.setting)=\(check.host.value): the host name does not resolve")
            }
            while true {
                let remaining = deadline - ContinuousClock.now
                guard let failure = await check.failure(within: min(max(remaining, .milliseconds(100)), .seconds(5))) else { break }
                guard ContinuousClock.now < deadline else {
                    throw StartupFailure(description: "cannot reach \(check.name) (\(check.settingsDescription)): \(failure)")
                }
                logger.info("waiting for \(check.name)", metadata: ["reason": "\(failure)"])
                try await Task.sleep(for: .milliseconds(500))
            }
        }
    }

    static func health(of service: String, _ checks: [DependencyCheck]) async -> Response {
        let results = await withTaskGroup(of: (String, String?).self) { group in
            for check in checks { group.addTask { (check.name, await check.failure(within: .seconds(2))) } }
            var results: [String: String?] = [:]
            for await (name, failure) in group { results[name] = failure }
            return results
        }
        let failed = results.filter { $0.value != nil }.keys.sorted()
        let report = HealthReport(
            service: service,
            status: failed.isEmpty ? "ok" : "unavailable",
            failed: failed,
            checks: results.mapValues { $0 ?? "ok" })
        let body = (try? JSONEncoder.sorted.encode(report)) ?? Data()
        return Response(
            status: failed.isEmpty ? .ok : .serviceUnavailable,
            headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

struct HealthReport: Codable {
    let service: String
    let status: String
    let failed: [String]
    let checks: [String: String]
}

struct StartupFailure: Error, CustomStringConvertible {
    let description: String
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }
}
