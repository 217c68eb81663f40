import Access
import Contracts
import Foundation
import ServiceRuntime
import Settings
import Storage
import Testing

@testable import RegistrationService
@testable import ReviewService

/// The pure rules of reviews and reporting: which fields a report digests, the bonus that
/// counts, the automatic age rule, the export's encodings.
@Suite struct ReviewRulesTests {
    /// Registration digests the basic fields in `ReportedFields.basic`'s order: that list must be
    /// exactly the form's fields, or a report would miss a field (or digest one that is never there).
    @Test func theReportedBasicFieldsAreExactlyTheFormsFields() {
        let formFields = Mirror(reflecting: BasicInformation()).children.compactMap(\.label)
        #expect(ReportedFields.basic == formFields)
        #expect(Set(ReportedFields.all).count == ReportedFields.all.count)
        #expect(ReportedFields.all.allSatisfy { ReportedFields.labels[$0] != nil })
    }

    @Test func fieldDigestsChangeWithTheirFieldOnly() throws {
        let cipher = PersonalDataCipher(settings: try PersonalDataSettings(reader: SettingsReader(arguments: ["tests"], environment: [
            "PERSONAL_DATA_KEYS": "k1:" + Data(repeating: 3, count: 32).base64EncodedString(),
            "PERSONAL_DATA_LOOKUP_KEY": Data(repeating: 9, count: 32).base64EncodedString(),
        ])))
        var basic = BasicInformation()
        basic.postalAddress = "长沙市芙蓉区五一大道 1 号"
        basic.gender = .male
        let before = BasicFieldDigests.digests(of: try JSONEncoder().encode(basic), cipher: cipher)
        basic.postalAddress = "长沙市芙蓉区五一大道 2 号"
        let after = BasicFieldDigests.digests(of: try JSONEncoder().encode(basic), cipher: cipher)
        let changed = ReportedFields.basic.indices.filter { before[$0] != after[$0] }.map { ReportedFields.basic[$0] }
        #expect(changed == ["postalAddress"])
        #expect(before.count == ReportedFields.basic.count)
    }

    @Test func onlyTheHighestAcceptedBonusCounts() {
        func item(_ code: String, _ points: Int, _ decision: String) -> BonusItem {
            BonusItem(policyCode: code, policyName: code, points: points, source: "point_claim", evidence: "证明", decision: decision, reason: nil)
        }
        let bonus = CandidateBonus(candidateID: 1, items: [item("B01", 10, "accepted"), item("B02", 20, "rejected"), item("B03", 15, "accepted"), item("B04", 50, "open")])
        #expect(bonus.countedPolicyCode == "B03" && bonus.countedPoints == 15)
        let none = CandidateBonus(candidateID: 2, items: [item("B02", 20, "rejected")])
        #expect(none.countedPolicyCode == nil && none.countedPoints == 0)
    }

    @Test func theAgeRuleCountsBirthdaysOnItsDate() {
        let policies = BonusPolicies(
            year: 2026,
            codes: [
                .init(code: "B03", name: "年满25周岁", points: 5, minimumAge: 25, ageOn: "2026-10-24"), .init(code: "B01", name: "归侨", points: 10),
            ])
        #expect(policies.automaticAwards(born: "2001-10-24") == ["B03"], "25 on the day itself")
        #expect(policies.automaticAwards(born: "2001-10-25").isEmpty, "a day short")
        #expect(policies.automaticAwards(born: "1970-01-01") == ["B03"])
        #expect(policies.automaticAwards(born: "not a date").isEmpty)
    }

    @Test func gbkReplacesWhatItCannotEncodeAndDBFCutsOnlyWholeCharacters() {
        let gbk = GBKEncoder()
        let plain = gbk.encode("张三")
        #expect(plain.bytes == [0xD5, 0xC5, 0xC8, 0xFD] && plain.replaced.isEmpty)
        let rare = gbk.encode("张𠀀")
        #expect(rare.bytes == [0xD5, 0xC5] + Array("??".utf8) && rare.replaced == ["𠀀"])
        #expect(gbk.encode("李强").bytes == [0xC0, 0xEE, 0xC7, 0xBF], "a failed conversion leaves the converter usable")
        #expect(DBFFile.cut([0xD5, 0xC5, 0xC8, 0xFD], to: 3) == [0xD5, 0xC5])
        #expect(DBFFile.cut([0x41, 0xD5, 0xC5], to: 2) == [0x41])
        var file = DBFFile(fields: [.init(name: "XM", type: "C", length: 4), .init(name: "TZF", type: "N", length: 3)])
        file.append([[0xD5, 0xC5], Array("20".utf8)])
        let bytes = file.bytes()
        #expect(bytes[0] == 0x03 && bytes[4] == 1 && bytes[29] == 0x7A)
        #expect(Int(bytes[8]) | Int(bytes[9]) << 8 == 32 + 64 + 1)
        #expect(bytes.last == 0x1A)
        #expect(Array(bytes.suffix(9).dropLast()) == [0x20, 0xD5, 0xC5, 0x20, 0x20, 0x20, 0x32, 0x30])
    }

    @Test func csvCellsAreQuotedAndFormulasNeutralised() {
        let text = String(decoding: TableDownload(columns: ["a", "b"], rows: [["=1+1", "x,\"y\""]]).csv().dropFirst(3), as: UTF8.self)
        #expect(text == "a,b\r\n'=1+1,\"x,\"\"y\"\"\"\r\n")
    }
}
