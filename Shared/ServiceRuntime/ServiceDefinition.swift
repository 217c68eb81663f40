import Hummingbird
import Logging
import Messaging
import PostgresNIO
import Redis
import ServiceLifecycle
import Settings

/// What a service is: its name, its default port, its routes and the background work its worker
/// processes run (queue consumers, pollers; besides the outbox relay every worker runs). Everything else (settings,
/// connections, health, metrics, shutdown) is the same for every service and lives in `ServiceMain`.
public struct ServiceDefinition: Sendable {
    public let name: String
    public let defaultPort: Int
    /// Adds the service's API; may read settings of its own (a bad one stops the process at start).
    public let addRoutes: @Sendable (Router<BasicRequestContext>, Dependencies) throws -> Void
    /// A worker process's background work; may read settings of its own, like `addRoutes`.
    public let workers: @Sendable (Dependencies) throws -> [any Service]

    public init(
        name: String,
        defaultPort: Int,
        addRoutes: @escaping @Sendable (Router<BasicRequestContext>, Dependencies) throws -> Void = { _, _ in },
        workers: @escaping @Sendable (Dependencies) throws -> [any Service] = { _ in [] }
    ) {
        self.name = name
        self.defaultPort = defaultPort
        self.addRoutes = addRoutes
        self.workers = workers
    }
}

/// The connections a process holds, handed to routes and workers.
public struct Dependencies: Sendable {
    public let settings: ServiceSettings
    /// For settings only some services read (keys, session timeouts).
    public let reader: SettingsReader
    public let postgres: PostgresClient
    public let redis: RedisClient
    public let amqp: AMQPClient
    public let logger: Logger

    public init(settings: ServiceSettings, reader: SettingsReader, postgres: PostgresClient, redis: RedisClient, amqp: AMQPClient, logger: Logger) {
        self.settings = settings
        self.reader = reader
        self.postgres = postgres
        self.redis = redis
        self.amqp = amqp
        self.logger = logger
    }
}
