import Logging
import PostgresNIO

/// Applies numbered migrations, each in its own transaction with its record in `schema_migration`.
///
/// Safe to run again (applied files are skipped) and from several processes at once (an advisory
/// lock serialises them). It refuses to run at all when an applied file changed or disappeared:
/// the database would no longer match the code that describes it.
public struct Migrator: Sendable {
    public let migrations: [Migration]
    private let logger: Logger
    /// Any constant shared by every migrator of this system.
    private static let lockKey: Int64 = 2019_0902

    public init(migrations: [Migration], logger: Logger) {
        self.migrations = migrations
        self.logger = logger
    }

    /// Returns the versions it applied now (empty when the schema was already current).
    @discardableResult
    public func apply(on client: PostgresClient) async throws -> [Int] {
        try await client.withConnection { connection in
            _ = try await connection.query("SELECT pg_advisory_lock(\(Self.lockKey))", logger: logger)
            do {
                let applied = try await apply(on: connection)
                _ = try await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                return applied
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                throw error
            }
        }
    }

    private func apply(on connection: PostgresConnection) async throws -> [Int] {
        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migration (
                version int PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now())
            """, logger: logger)
        var recorded: [Int: (name: String, checksum: String)] = [:]
        for try await (version, name, checksum) in try await connection.query(
            "SELECT version, name, checksum FROM schema_migration", logger: logger
        ).decode((Int, String, String).self) {
            recorded[version] = (name, checksum)
        }
        let byVersion = Dictionary(uniqueKeysWithValues: migrations.map { ($0.version, $0) })
        for (version, record) in recorded.sorted(by: { $0.key < $1.key }) {
            guard let migration = byVersion[version] else {
                throw MigrationError("migration \(version) (\(record.name)) is applied but its file is missing")
            }
            guard migration.checksum == record.checksum else {
                throw MigrationError("\(migration.file) changed after it was applied; add a new migration instead")
            }
        }
        // Runs a whole file (several statements) as one statement inside the transaction.
        try await connection.query(
            """
            CREATE OR REPLACE FUNCTION pg_temp.run_migration(sql text) RETURNS void
            LANGUAGE plpgsql AS $$ BEGIN EXECUTE sql; END $$
            """, logger: logger)
        var applied: [Int] = []
        for migration in migrations where recorded[migration.version] == nil {
            try await connection.query("BEGIN", logger: logger)
            do {
                // Read to the end: an error the file raises arrives after the row's description.
                _ = try await connection.query("SELECT pg_temp.run_migration(\(migration.sql))", logger: logger).collect()
                try await connection.query(
                    "INSERT INTO schema_migration (version, name, checksum) VALUES (\(migration.version), \(migration.name), \(migration.checksum))",
                    logger: logger)
                try await connection.query("COMMIT", logger: logger)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw MigrationError("\(migration.file) failed: \(String(reflecting: error))")
            }
            logger.info("applied migration", metadata: ["file": "\(migration.file)"])
            applied.append(migration.version)
        }
        return applied
    }
}
