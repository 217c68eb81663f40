import Foundation
import PostgresNIO
import Storage
import Testing

@Suite struct MigrationTests {
    private let migrations = try! MigrationCatalog.load(repositoryRoot: TestStack.repository)

    /// Every column, constraint and index of the public schema, as text to compare.
    private func schema(_ client: PostgresClient) async throws -> [String] {
        var lines: [String] = []
        let rows = try await client.query(
            """
            SELECT table_name || '.' || column_name || ' ' || udt_name || ' ' || is_nullable FROM information_schema.columns WHERE table_schema = 'public'
            UNION ALL SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'public'::regnamespace
            UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'
            ORDER BY 1
            """, logger: TestStack.logger)
        for try await line in rows.decode(String.self) { lines.append(line) }
        return lines
    }

    private func count(_ table: String, _ client: PostgresClient) async throws -> Int {
        try await client.query(PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM \(table)"), logger: TestStack.logger)
            .decode(Int.self).first { _ in true } ?? -1
    }

    @Test func appliedTwiceChangesNothing() async throws {
        let migrations = self.migrations
        try await withScratchDatabase { settings in
            try await withPostgres(settings) { client in
                let migrator = Migrator(migrations: migrations, logger: TestStack.logger)
                let first = try await migrator.apply(on: client)
                #expect(first == migrations.map(\.version))
                let schemaAfterFirst = try await schema(client)
                #expect(schemaAfterFirst.contains { $0.hasPrefix("organisation_node.path ltree") })
                let recordedAfterFirst = try await count("schema_migration", client)

                let second = try await migrator.apply(on: client)
                #expect(second.isEmpty)
                #expect(try await schema(client) == schemaAfterFirst)
                #expect(try await count("schema_migration", client) == recordedAfterFirst)
            }
        }
    }

    @Test func aChangedAppliedFileIsRefusedBeforeAnythingRuns() async throws {
        let migrations = self.migrations
        try await withScratchDatabase { settings in
            try await withPostgres(settings) { client in
                try await Migrator(migrations: [migrations[0]], logger: TestStack.logger).apply(on: client)
                let edited = Migration(
                    version: migrations[0].version, name: migrations[0].name, file: migrations[0].file,
                    sql: migrations[0].sql + "\n-- edited")
                let refused = Migrator(migrations: [edited] + migrations.dropFirst(), logger: TestStack.logger)
                let error = await #expect(throws: MigrationError.self) { try await refused.apply(on: client) }
                #expect(error?.description.contains(migrations[0].file) == true)
                #expect(error?.description.contains("changed after it was applied") == true)
                // Nothing after the refused check ran.
                #expect(try await count("schema_migration", client) == 1)
            }
        }
    }

    @Test func anAppliedMigrationWhoseFileIsGoneIsRefused() async throws {
        let migrations = self.migrations
        try await withScratchDatabase { settings in
            try await withPostgres(settings) { client in
                try await Migrator(migrations: migrations, logger: TestStack.logger).apply(on: client)
                let error = await #expect(throws: MigrationError.self) {
                    try await Migrator(migrations: Array(migrations.dropLast()), logger: TestStack.logger).apply(on: client)
                }
                #expect(error?.description.contains("its file is missing") == true)
            }
        }
    }

    @Test func aFailingMigrationLeavesNoTrace() async throws {
        let migrations = self.migrations
        try await withScratchDatabase { settings in
            try await withPostgres(settings) { client in
                let broken = Migration(
                    version: 9_999, name: "broken", file: "Shared/Storage/Migrations/9999_broken.sql",
                    sql: "CREATE TABLE half_done (x int);\nSELECT * FROM no_such_table;")
                let error = await #expect(throws: MigrationError.self) {
                    try await Migrator(migrations: migrations + [broken], logger: TestStack.logger).apply(on: client)
                }
                #expect(error?.description.contains("9999_broken.sql failed") == true)
                let halfDone = try await client.query("SELECT to_regclass('half_done') IS NULL", logger: TestStack.logger)
                    .decode(Bool.self).first { _ in true }
                #expect(halfDone == true)
                #expect(try await count("schema_migration", client) == migrations.count)
            }
        }
    }

    @Test func concurrentMigratorsApplyEachFileOnce() async throws {
        let migrations = self.migrations
        try await withScratchDatabase { settings in
            let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        try await withPostgres(settings) { client in
                            try await Migrator(migrations: migrations, logger: TestStack.logger).apply(on: client)
                        }
                    }
                }
                return try await group.reduce(into: [Int]()) { $0 += $1 }
            }
            #expect(applied.sorted() == migrations.map(\.version))
        }
    }
}
