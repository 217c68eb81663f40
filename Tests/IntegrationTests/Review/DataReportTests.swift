import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
import Testing

/// Data reporting (数据上报), county -> city -> province: blockers, frozen snapshots, a return
/// naming candidates and fields, the difference of the next report naming exactly what changed,
/// the lock after the province accepts and an audited reopen, and the exports read back by
/// independent readers.
@Suite struct DataReportTests {
    @Test func aReturnedReportIsCorrectedReportedAgainAndItsDifferenceNamesExactlyTheChanges() async throws {
        try await ReviewStack.with { fixture in
            var (province, city, otherCity, county, operatorBrowser) = try await ReviewStack.staff(fixture)
            var paid: [Candidate] = []
            for name in ["王芳", "张𠀀", "李强"] {
                var (candidate, browser) = try await ReviewStack.confirmed(
                    fixture, operator: &operatorBrowser, number: Candidate.randomResidentID(area: "430102", born: 2003...2004), name: name)
                try await ReviewStack.pay(&browser, fixture)
                paid.append(candidate)
            }
            let (unpaid, _) = try await ReviewStack.confirmed(fixture, operator: &operatorBrowser, number: Candidate.randomResidentID(area: "430102", born: 2004...2004))
            let (first, rare, claimant) = (paid[0], paid[1], paid[2])
            #expect(try await fixture.send(.post, "/staff/candidates/\(claimant.id)/bonus-claims", ["policyCode": "B01", "evidence": "归侨证明"], as: &operatorBrowser).status == .created)

            // Blocked: an unpaid candidate without a recorded reason, an open bonus claim.
            let blockers = try await fixture.send(.get, "/staff/reports/blockers", as: &county)
            let kinds = ((blockers.json["blockers"] as? [[String: Any]]) ?? []).map { ($0["kind"] as? String ?? "", ($0["candidateIDs"] as? [NSNumber])?.map(\.int64Value) ?? []) }
            #expect(kinds.map(\.0) == ["bonus_open", "unpaid_without_reason"] && kinds[0].1 == [claimant.id] && kinds[1].1 == [unpaid.id], "\(blockers.text)")
            let blocked = try await fixture.send(.post, "/staff/reports", as: &county)
            #expect(blocked.status == .conflict && blocked.errorCode == "report.blocked" && Set(blocked.errorFields) == ["bonus_open", "unpaid_without_reason"], "\(blocked.text)")
            #expect(try await fixture.send(.get, "/staff/reports/blockers?unit=430102", as: &otherCity).status == .forbidden)
            #expect(try await fixture.send(.get, "/staff/reports/blockers?unit=TP430102A", as: &city).errorFields == ["unit"])
            #expect(try await fixture.send(.get, "/staff/reports/blockers?unit=43%00", as: &city).errorFields == ["unit"])
            #expect(try await fixture.send(.get, "/staff/reports?unit=43%00", as: &city).errorFields == ["unit"])
            #expect(try await fixture.send(.post, "/staff/reports", as: &operatorBrowser).status == .forbidden)
            #expect(try await fixture.send(.put, "/staff/unpaid-candidates/\(unpaid.id)/reason", ["reason": "考生放弃报考"], as: &operatorBrowser).status == .ok)
            #expect(try await fixture.send(.put, "/staff/candidates/\(claimant.id)/bonus/B01", ["decision": "accept"], as: &city).status == .ok)

            // The county reports: a frozen snapshot of its paid candidates.
            let reported = try await fixture.send(.post, "/staff/reports", as: &county)
            #expect(reported.status == .created && reported.int("candidates") == 3 && reported.json["level"] as? String == "county", "\(reported.text)")
            let firstReport = reported.int("id")
            let digest = reported.json["digest"] as? String
            #expect(try await fixture.send(.post, "/staff/reports", as: &county).errorCode == "report.pending")
            #expect(try await fixture.send(.get, "/staff/reports/\(firstReport)/difference", as: &county).errorCode == "report.no_previous")

            // Another city, the county itself and the province cannot decide a county's report;
            // another city cannot read or export it.
            for (path, body) in [("accept", [String: Any]()), ("return", ["reason": "请核对"]), ("reopen", ["reason": "请核对"])] {
                #expect(try await fixture.send(.post, "/staff/reports/\(firstReport)/\(path)", body, as: &otherCity).status == .forbidden)
                #expect(try await fixture.send(.post, "/staff/reports/\(firstReport)/\(path)", body, as: &county).status == .forbidden)
                #expect(try await fixture.send(.post, "/staff/reports/\(firstReport)/\(path)", body, as: &province).status == .forbidden)
            }
            for path in ["", "/difference", "/export?format=csv", "/export-problems"] {
                #expect(try await fixture.send(.get, "/staff/reports/\(firstReport)\(path)", as: &otherCity).status == .forbidden)
            }
            #expect(((try await fixture.send(.get, "/staff/reports", as: &otherCity).json["reports"] as? [Any]) ?? [1]).isEmpty)

            // Returned with a reason naming a candidate's field and another candidate.
            let badItems = try await fixture.send(
                .post, "/staff/reports/\(firstReport)/return",
                ["reason": "请核对", "items": [["candidateID": unpaid.id, "field": "postalAddress", "note": "x"], ["candidateID": first.id, "field": "shoeSize", "note": "x"]]],
                as: &city)
            #expect(badItems.status == .unprocessableContent && badItems.errorFields == ["items[0].candidateID", "items[1].field"], "\(badItems.text)")
            let returned = try await fixture.send(
                .post, "/staff/reports/\(firstReport)/return",
                ["reason": "两名考生信息有误", "items": [["candidateID": first.id, "field": "postalAddress", "note": "门牌号有误"], ["candidateID": claimant.id, "field": "bonus", "note": "归侨证明不足"]]],
                as: &city)
            #expect(returned.json["status"] as? String == "returned" && (returned.json["returnItems"] as? [Any])?.count == 2, "\(returned.text)")

            // Corrected: the county corrects one field (audited, checked by the rules), the city
            // rejects the claim; bad corrections change nothing.
            let correction = "/staff/candidates/\(first.id)/form/basic"
            #expect(try await fixture.send(.patch, correction, ["changes": ["postcode": "12"]], as: &county).status == .unprocessableContent)
            #expect(try await fixture.send(.patch, correction, ["changes": ["shoeSize": "42"]], as: &county).errorFields == ["changes.shoeSize"])
            #expect(try await fixture.send(.patch, correction, ["changes": ["postalAddress": "长沙市芙蓉区五一大道 9 号"]], as: &otherCity).status == .forbidden)
            let corrected = try await fixture.send(.patch, correction, ["changes": ["postalAddress": "长沙市芙蓉区五一大道 9 号"]], as: &county)
            #expect(corrected.status == .ok, "\(corrected.text)")
            #expect(try await ReviewStack.count("SELECT count(*)::int FROM audit_event WHERE action = 'candidate.form.correct(postalAddress)' AND target_id = \(String(first.id))", fixture) == 1)
            #expect(try await fixture.send(.put, "/staff/candidates/\(claimant.id)/bonus/B01", ["decision": "reject", "reason": "归侨证明不足"], as: &city).status == .ok)

            // Reported again: the difference names exactly those candidates and fields.
            let again = try await fixture.send(.post, "/staff/reports", as: &county)
            #expect(again.status == .created && again.int("previousID") == firstReport && again.json["digest"] as? String != digest, "\(again.text)")
            let secondReport = again.int("id")
            let difference = try await fixture.send(.get, "/staff/reports/\(secondReport)/difference", as: &city)
            let changed = ((difference.json["changed"] as? [[String: Any]]) ?? []).map { (($0["candidateID"] as? NSNumber)?.int64Value ?? 0, $0["fields"] as? [String] ?? []) }
            #expect(changed.count == 2 && changed.contains { $0 == (first.id, ["postalAddress"]) } && changed.contains { $0 == (claimant.id, ["bonus"]) }, "\(difference.text)")
            #expect((difference.json["added"] as? [Any])?.isEmpty == true && (difference.json["removed"] as? [Any])?.isEmpty == true)
            #expect(try await fixture.send(.post, "/staff/reports/\(secondReport)/accept", as: &city).json["status"] as? String == "accepted")

            // The city reports to the province, which accepts: the data is locked.
            let cityReport = try await fixture.send(.post, "/staff/reports", as: &city)
            #expect(cityReport.status == .created && cityReport.int("candidates") == 3 && cityReport.json["level"] as? String == "city", "\(cityReport.text)")
            let cityReportID = cityReport.int("id")
            #expect(try await fixture.send(.post, "/staff/reports/\(cityReportID)/accept", as: &city).status == .forbidden)
            #expect(try await fixture.send(.get, "/staff/reports/\(cityReportID)/export?format=dbf", as: &province).errorCode == "export.dbf_not_accepted")
            #expect(try await fixture.send(.post, "/staff/reports/\(cityReportID)/accept", as: &province).json["status"] as? String == "accepted")
            let locked = try await fixture.send(.patch, correction, ["changes": ["postalAddress": "长沙市芙蓉区五一大道 10 号"]], as: &county)
            #expect(locked.status == .conflict && locked.errorCode == "report.locked", "\(locked.text)")
            #expect(try await fixture.send(.put, "/staff/candidates/\(claimant.id)/bonus/B01", ["decision": "accept"], as: &city).errorCode == "report.locked")
            #expect(try await fixture.send(.post, "/staff/reports/\(secondReport)/reopen", ["reason": "更正地址"], as: &city).errorCode == "report.city_reported")

            // The exports: CSV and XLSX for people, DBF (GBK) of what the province accepted, each
            // read back by an independent reader; the character GBK lacks is listed.
            let names = Set(paid.map(\.name))
            let rows = try await Readers.read(try await fixture.send(.get, "/staff/reports/\(cityReportID)/export?format=dbf", as: &province).body, as: "dbf")
            #expect(rows.count == 3 && Set(rows.compactMap { $0["XM"] }) == ["王芳", "张??", "李强"], "\(rows)")
            #expect(Set(rows.compactMap { $0["KSH"] }).count == 3 && rows.allSatisfy { $0["ZJHM"]?.count == 18 && $0["BKCC"] == "1" && $0["XQDM"] == "430102" })
            let problems = try await fixture.send(.get, "/staff/reports/\(cityReportID)/export-problems", as: &province)
            let replaced = (problems.json["problems"] as? [[String: Any]]) ?? []
            #expect(replaced.count == 1 && (replaced.first?["candidateID"] as? NSNumber)?.int64Value == rare.id && replaced.first?["characters"] as? String == "𠀀"
                && replaced.first?["kind"] as? String == "gbk_replaced" && replaced.first?["field"] as? String == "XM", "\(problems.text)")
            let sheet = try await Readers.read(try await fixture.send(.get, "/staff/reports/\(secondReport)/export?format=xlsx", as: &city).body, as: "xlsx")
            #expect(sheet.count == 3 && Set(sheet.compactMap { $0["XM 姓名"] }) == names, "\(sheet)")
            let csv = try await fixture.send(.get, "/staff/reports/\(secondReport)/export?format=csv", as: &county)
            #expect(csv.status == .ok && names.allSatisfy { csv.text.contains($0) } && csv.text.hasPrefix("\u{FEFF}KSH 考生号,"), "\(csv.text.prefix(200))")
            let province2 = try await Readers.read(try await fixture.send(.get, "/staff/exports/province?format=dbf", as: &province).body, as: "dbf")
            #expect(province2.count == 3)
            #expect(try await fixture.send(.get, "/staff/exports/province?format=dbf", as: &city).status == .forbidden)
            #expect(try await fixture.send(.get, "/staff/reports/\(secondReport)/export?format=pdf", as: &city).errorFields == ["format"])

            // The province reopens the city's report (audited); a correction is then allowed and
            // the city's next report shows it.
            #expect(try await fixture.send(.post, "/staff/reports/\(cityReportID)/reopen", ["reason": "x"], as: &province).errorFields == ["reason"])
            let reopened = try await fixture.send(.post, "/staff/reports/\(cityReportID)/reopen", ["reason": "芙蓉区更正考生地址"], as: &province)
            #expect(reopened.json["status"] as? String == "reopened", "\(reopened.text)")
            #expect(try await ReviewStack.count("SELECT count(*)::int FROM audit_event WHERE action = 'report.reopen' AND target_id = \(String(cityReportID))", fixture) == 1)
            #expect(try await fixture.send(.patch, correction, ["changes": ["postalAddress": "长沙市芙蓉区五一大道 10 号"]], as: &county).status == .ok)
            let cityAgain = try await fixture.send(.post, "/staff/reports", as: &city)
            #expect(cityAgain.int("previousID") == cityReportID, "\(cityAgain.text)")
            let cityDifference = try await fixture.send(.get, "/staff/reports/\(cityAgain.int("id"))/difference", as: &province)
            let cityChanged = ((cityDifference.json["changed"] as? [[String: Any]]) ?? []).map { (($0["candidateID"] as? NSNumber)?.int64Value ?? 0, $0["fields"] as? [String] ?? []) }
            #expect(cityChanged.count == 1 && cityChanged.first! == (first.id, ["postalAddress"]), "\(cityDifference.text)")
        }
    }
}

/// The exports read by Python's readers (`dbfread`, `openpyxl`, from PyPI; ops/test installs
/// them): rows as dictionaries of text.
enum Readers {
    static func read(_ body: ByteBuffer, as format: String) async throws -> [[String: String]] {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID().uuidString).\(format)")
        try Data(Array(buffer: body)).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let script = """
            import json, sys
            path, kind = sys.argv[1], sys.argv[2]
            if kind == "dbf":
                from dbfread import DBF
                rows = [{k: str(v).strip() for k, v in r.items()} for r in DBF(path, encoding="gbk")]
            else:
                from openpyxl import load_workbook
                sheet = load_workbook(path).active
                values = [[("" if c is None else str(c)) for c in row] for row in sheet.iter_rows(values_only=True)]
                rows = [dict(zip(values[0], row)) for row in values[1:]]
            print(json.dumps(rows, ensure_ascii=False))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ProcessInfo.processInfo.environment["EXAM_PYTHON"] ?? "/usr/bin/python3")
        process.arguments = ["-c", script, file.path, format]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "the reader failed on the \(format) file")
        return (try? JSONSerialization.jsonObject(with: data) as? [[String: String]]) ?? []
    }
}
