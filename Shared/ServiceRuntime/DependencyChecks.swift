import Glibc
import Logging
import NIOPosix
import Messaging
import PostgresNIO
import Redis
import Settings

/// One dependency a process needs, with the settings that point at it (named in errors, so
/// that an operator knows what to fix) and a cheap round trip that proves it answers.
struct DependencyCheck: Sendable {
    let name: String
    let settingNames: [String: String]
    /// The host setting's name and value: a host that does not resolve is a setting to fix, not
    /// a server to wait for.
    let host: (setting: String, value: String)
    let probe: @Sendable () async throws -> Void

    static func all(_ dependencies: Dependencies) -> [DependencyCheck] {
        let settings = dependencies.settings
        let (postgres, redis, amqp, logger) = (dependencies.postgres, dependencies.redis, dependencies.amqp, dependencies.logger)
        return [
            DependencyCheck(
                name: "postgres",
                settingNames: ["POSTGRES_HOST": settings.postgres.host, "POSTGRES_PORT": "\(settings.postgres.port)"],
                host: ("POSTGRES_HOST", settings.postgres.host),
                probe: { _ = try await postgres.query("SELECT 1", logger: logger).decode(Int.self).reduce(0, +) }),
            DependencyCheck(
                name: "redis",
                settingNames: ["REDIS_HOST": settings.redis.host, "REDIS_PORT": "\(settings.redis.port)"],
                host: ("REDIS_HOST", settings.redis.host),
                probe: { try await redis.ping() }),
            DependencyCheck(
                name: "rabbitmq",
                settingNames: ["AMQP_HOST": settings.amqp.host, "AMQP_PORT": "\(settings.amqp.port)"],
                host: ("AMQP_HOST", settings.amqp.host),
                probe: { try await amqp.ping() }),
        ]
    }

    /// nil when the dependency answered within `timeout`, else why not.
    func failure(within timeout: Duration) async -> String? {
        let probe = self.probe
        return await withTaskGroup(of: String?.self) { group in
            group.addTask {
                do {
                    try await probe()
                    return nil
                } catch {
                    return Self.summary(of: error)
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return "no answer within \(timeout.components.seconds) s"
            }
            let first = await group.next()!
            group.cancelAll()
            return first
        }
    }

    /// Blocking name resolution, so it runs on the shared thread pool.
    func hostResolves() async -> Bool {
        let host = self.host.value
        return (try? await NIOThreadPool.singleton.runIfActive {
            var result: UnsafeMutablePointer<addrinfo>?
            defer { if let result { freeaddrinfo(result) } }
            return getaddrinfo(host, nil, nil, &result) == 0
        }) ?? false
    }

    var settingsDescription: String {
        settingNames.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }

    /// One line, whatever the error: PSQLError's plain description hides the cause on purpose.
    static func summary(of error: any Error) -> String {
        let detail: String
        if let error = error as? PSQLError {
            detail = error.underlying.map { "\($0)" } ?? error.serverInfo?[.message] ?? "\(error.code)"
        } else {
            detail = "\(error)"
        }
        return detail.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
