import Foundation
@testable import Storage
import Testing

@Suite struct ReferenceValidationTests {
    private func divisionErrors(_ csv: String) -> [ReferenceRowError] {
        do {
            _ = try ReferenceImporter.validateDivisions(try ReferenceImporter.parse(csv, table: .divisions))
            return []
        } catch let failure as ReferenceImportFailed {
            return failure.errors
        } catch {
            Issue.record("unexpected \(error)")
            return []
        }
    }

    private let header = "code,name,level,parent_code\n"
    private let tree = "430000,湖南省,province,\n430100,长沙市,city,430000\n"

    @Test func theShippedFilesAreValid() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for table in ReferenceTable.allCases {
            let text = try String(contentsOf: root.appendingPathComponent(table.shippedFile), encoding: .utf8)
            let rows = try ReferenceImporter.parse(text, table: table)
            switch table {
            case .divisions:
                let divisions = try ReferenceImporter.validateDivisions(rows)
                #expect(divisions.filter { $0.level == .city }.count == 14)
                #expect(divisions.first?.level == .province)
            case .ethnicGroups:
                #expect(try ReferenceImporter.validateCodes(rows, table: table).count == 58)
            case .politicalStatus:
                #expect(try ReferenceImporter.validateCodes(rows, table: table).count == 13)
            }
        }
    }

    @Test func aValidTreeHasParentsFirst() throws {
        let divisions = try ReferenceImporter.validateDivisions(
            try ReferenceImporter.parse(header + "430102,芙蓉区,county,430100\n" + tree, table: .divisions))
        #expect(divisions.map(\.code) == ["430000", "430100", "430102"])
    }

    @Test func eachBadRowIsReportedWithLineAndField() {
        let errors = divisionErrors(
            header + tree
                + "43010,短码区,county,430100\n"  // line 4: five digits
                + "430102,,county,430100\n"  // line 5: no name
                + "430103,天心区,town,430100\n"  // line 6: unknown level
                + "430104,岳麓区,county,439900\n"  // line 7: parent not in the file
                + "430105,开福区,county,430000\n"  // line 8: a county under the province
                + "430100,长沙市,city,430000\n")  // line 9: duplicate code
        #expect(errors.map(\.line) == [4, 5, 6, 7, 8, 9])
        #expect(errors.map(\.field) == ["code", "name", "level", "parent_code", "parent_code", "code"])
        #expect(errors[4].message.contains("must be a city"))
    }

    @Test func exactlyOneProvince() {
        let errors = divisionErrors(header + "430000,湖南省,province,\n440000,广东省,province,\n")
        #expect(errors.map(\.field) == ["level"])
    }

    @Test func theHeaderMustMatch() {
        let errors = divisionErrors("id,name,level,parent\n" + tree)
        #expect(errors.first?.field == "header")
    }

    @Test func aRowWithMissingOrExtraFieldsIsAnError() {
        let errors = divisionErrors(header + tree + "430102,芙蓉区\n430103,天心区,county,430100,extra\n")
        #expect(errors.map(\.line) == [4, 5])
        #expect(errors.map(\.field) == ["row", "row"])
    }

    @Test func quotedFieldsMayHoldCommas() throws {
        let rows = try ReferenceImporter.parse("code,name\n01,\"汉族,甲\"\n", table: .ethnicGroups)
        #expect(rows.first?.fields["name"] == "汉族,甲")
    }

    @Test func codeTablesRefuseDuplicatesAndBadCodes() {
        do {
            _ = try ReferenceImporter.validateCodes(
                try ReferenceImporter.parse("code,name\n01,汉族\n01,蒙古族\n1,回族\n04,\n", table: .ethnicGroups), table: .ethnicGroups)
            Issue.record("accepted")
        } catch let failure as ReferenceImportFailed {
            #expect(failure.errors.map(\.line) == [3, 4, 5])
            #expect(failure.errors.map(\.field) == ["code", "code", "name"])
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func aByteOrderMarkIsAccepted() throws {
        let rows = try ReferenceImporter.parse("\u{FEFF}code,name\n01,汉族\n", table: .ethnicGroups)
        #expect(rows.count == 1)
    }
}
