import Foundation
import PostgresNIO
import Storage
import Testing

@Suite struct ReferenceImportTests {
    private func shipped(_ table: ReferenceTable) throws -> String {
        try String(contentsOf: TestStack.repository.appendingPathComponent(table.shippedFile), encoding: .utf8)
    }

    private func migrated(_ body: @escaping @Sendable (PostgresClient) async throws -> Void) async throws {
        let migrations = try MigrationCatalog.load(repositoryRoot: TestStack.repository)
        try await withScratchDatabase { settings in
            try await withPostgres(settings) { client in
                try await Migrator(migrations: migrations, logger: TestStack.logger).apply(on: client)
                try await body(client)
            }
        }
    }

    @Test func theShippedTreeLoadsAndReloadsWithoutChanges() async throws {
        let divisions = try shipped(.divisions)
        try await migrated { client in
            let importer = ReferenceImporter(logger: TestStack.logger)
            let first = try await importer.importCSV(divisions, into: .divisions, client: client)
            #expect(first.inserted == 137)
            let again = try await importer.importCSV(divisions, into: .divisions, client: client)
            #expect(again == ReferenceImportReport(inserted: 0, updated: 0, unchanged: 137, retired: 0))

            // The subtree of 长沙市 is its 9 counties and itself.
            let changsha = try await client.query(
                "SELECT count(*)::int FROM organisation_node WHERE path <@ (SELECT path FROM organisation_node WHERE id = '430100')",
                logger: TestStack.logger
            ).decode(Int.self).first { _ in true }
            #expect(changsha == 10)
        }
    }

    @Test func aCorrectedFileRenamesAndRetiresButNeverDeletes() async throws {
        let divisions = try shipped(.divisions)
        // The 2017 change the reference README names: 宁乡县 430124 became 宁乡市 430182.
        let corrected = divisions.replacingOccurrences(of: "430124,宁乡县,county,430100", with: "430182,宁乡市,county,430100")
            .replacingOccurrences(of: "430223,攸县,county,430200", with: "430223,攸县（更正）,county,430200")
        #expect(corrected != divisions)
        try await migrated { client in
            let importer = ReferenceImporter(logger: TestStack.logger)
            try await importer.importCSV(divisions, into: .divisions, client: client)
            let report = try await importer.importCSV(corrected, into: .divisions, client: client)
            #expect(report == ReferenceImportReport(inserted: 1, updated: 1, unchanged: 135, retired: 1))
            let rows = try await client.query(
                "SELECT id, name, active FROM organisation_node WHERE id IN ('430124', '430182', '430223') ORDER BY id",
                logger: TestStack.logger)
            var found: [String] = []
            for try await (id, name, active) in rows.decode((String, String, Bool).self) { found.append("\(id) \(name) \(active)") }
            #expect(found == ["430124 宁乡县 false", "430182 宁乡市 true", "430223 攸县（更正） true"])
        }
    }

    @Test func aFileWithOneBadRowChangesNothing() async throws {
        let divisions = try shipped(.divisions)
        let broken = divisions.replacingOccurrences(of: "430102,芙蓉区,county,430100", with: "430102,芙蓉区,county,999999")
        try await migrated { client in
            let importer = ReferenceImporter(logger: TestStack.logger)
            try await importer.importCSV(divisions, into: .divisions, client: client)
            let failure = await #expect(throws: ReferenceImportFailed.self) {
                try await importer.importCSV(broken.replacingOccurrences(of: "芙蓉区", with: "芙蓉区改"), into: .divisions, client: client)
            }
            #expect(failure?.errors.map(\.field) == ["parent_code"])
            let name = try await client.query("SELECT name FROM organisation_node WHERE id = '430102'", logger: TestStack.logger)
                .decode(String.self).first { _ in true }
            #expect(name == "芙蓉区")
        }
    }

    @Test func codeTablesLoad() async throws {
        let (ethnic, political) = (try shipped(.ethnicGroups), try shipped(.politicalStatus))
        try await migrated { client in
            let importer = ReferenceImporter(logger: TestStack.logger)
            #expect(try await importer.importCSV(ethnic, into: .ethnicGroups, client: client).inserted == 58)
            #expect(try await importer.importCSV(political, into: .politicalStatus, client: client).inserted == 13)
            let han = try await client.query("SELECT name FROM ethnic_group WHERE code = '01'", logger: TestStack.logger)
                .decode(String.self).first { _ in true }
            #expect(han == "汉族")
        }
    }
}
