import Logging

/// What one process is for: serving the HTTP API, or working through its service's queues.
public enum ProcessRole: String, CaseIterable, Sendable {
    case api
    case worker
}

public struct HTTPSettings: Sendable {
    public var host: String
    public var port: Int
}

public struct PostgresSettings: Sendable {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String
    public var database: String
    /// Connections this process may hold; the server's max_connections is shared by all processes.
    public var maxConnections: Int

    public init(reader: SettingsReader) throws(SettingError) {
        host = try reader.string("postgres.host", default: "127.0.0.1")
        port = try reader.port("postgres.port", default: 15432)
        user = try reader.string("postgres.user", default: "exam_app")
        password = try reader.secret("postgres.password", default: "exam_app_local")
        database = try reader.string("postgres.database", default: "exam")
        maxConnections = try reader.integer("postgres.max.connections", default: 20, in: 1...200)
    }
}

public struct RedisSettings: Sendable {
    public var host: String
    public var port: Int
    /// Connections per process; each carries any number of commands at once (pipelined).
    public var maxConnections: Int
    /// How long one command may take before the connection is given up.
    public var commandTimeout: Duration

    public init(reader: SettingsReader) throws(SettingError) {
        host = try reader.string("redis.host", default: "127.0.0.1")
        port = try reader.port("redis.port", default: 16379)
        maxConnections = try reader.integer("redis.max.connections", default: 2, in: 1...64)
        commandTimeout = try reader.seconds("redis.timeout", default: 2)
    }
}

public struct AMQPSettings: Sendable {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String
    public var vhost: String
    public var heartbeatSeconds: Int

    public init(reader: SettingsReader) throws(SettingError) {
        host = try reader.string("amqp.host", default: "127.0.0.1")
        port = try reader.port("amqp.port", default: 15673)
        user = try reader.string("amqp.user", default: "exam")
        password = try reader.secret("amqp.password", default: "exam_local")
        vhost = try reader.string("amqp.vhost", default: "/")
        heartbeatSeconds = try reader.integer("amqp.heartbeat", default: 30, in: 0...600)
    }
}

/// Everything a service process reads at start. The names are shared with `ops/` and `compose/`.
public struct ServiceSettings: Sendable {
    public var role: ProcessRole
    public var http: HTTPSettings
    public var postgres: PostgresSettings
    public var redis: RedisSettings
    public var amqp: AMQPSettings
    public var logLevel: Logger.Level
    /// How long a starting process keeps trying to reach a dependency before it gives up.
    public var startupTimeout: Duration

    public init(reader: SettingsReader, defaultPort: Int) throws(SettingError) {
        role = try reader.choice("role", default: ProcessRole.api)
        http = HTTPSettings(
            host: try reader.string("http.host", default: "127.0.0.1"),
            port: try reader.port("http.port", default: defaultPort))
        postgres = try PostgresSettings(reader: reader)
        redis = try RedisSettings(reader: reader)
        amqp = try AMQPSettings(reader: reader)
        logLevel = try reader.choice("log.level", default: Logger.Level.info)
        startupTimeout = try reader.seconds("startup.timeout", default: 30)
    }
}
