import PostgresNIO
import Settings

extension PostgresClient.Configuration {
    /// Loopback connections in development; compose's network is private, so TLS is off there too.
    public init(settings: PostgresSettings) {
        self.init(
            host: settings.host, port: settings.port, username: settings.user, password: settings.password,
            database: settings.database, tls: .disable)
        options.maximumConnections = settings.maxConnections
        options.minimumConnections = 0
        options.connectTimeout = .seconds(5)
    }
}
