import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Testing
import ZIPFoundation

/// Paper draft forms (信息采集草表): a point uploads a batch, a registration worker process (the
/// real executable) imports it through the web form's validation.
@Suite(.serialized) struct PaperFormTests {
    static let header = [
        "rowID", "documentNumber", "name", "phone", "countyID", "gender", "ethnicGroup", "birthDate", "politicalStatus", "educationLevel",
        "foreignLanguage", "candidateCharacteristic", "enrolmentCategory", "graduationDate", "graduatedFrom", "occupationCategory",
        "postalAddress", "postcode", "householdCity",
        "choice1.level", "choice1.subjectCategory", "choice1.studyForm", "choice1.institutionCode", "choice1.majorCode",
        "choice2.level", "choice2.subjectCategory", "choice2.studyForm", "choice2.institutionCode", "choice2.majorCode",
    ]

    /// What a bad row breaks, and the field the report must name.
    static let faults: [(field: String, apply: @Sendable (inout [String: String]) -> Void)] = [
        ("documentNumber", { row in row["documentNumber"] = String(row["documentNumber"]!.dropLast()) + (row["documentNumber"]!.last == "1" ? "2" : "1") }),
        ("basic.birthDate", { row in row["birthDate"] = "1960-01-01" }),
        ("choice2.level", { row in row["choice1.level"] = "高起专"; row["choice1.majorCode"] = "B01"; row["choice2.level"] = "高起本"; row["choice2.majorCode"] = "A01" }),
        ("phone", { row in row["phone"] = "2371234567" }),
        ("name", { row in row["name"] = "X" }),
    ]

    /// `count` rows, every 20th one bad (5%); the tag keeps row ids apart between files.
    static func rows(_ count: Int, tag: String) -> (rows: [[String: String]], bad: [Int: String]) {
        var rows: [[String: String]] = []
        var bad: [Int: String] = [:]
        for index in 0..<count {
            // Areas no other test uses: thousands of random numbers never meet another test's.
            let number = Candidate.randomResidentID(area: "439" + String(format: "%03d", Int.random(in: 0...999)))
            let birth = "\(number.dropFirst(6).prefix(4))-\(number.dropFirst(10).prefix(2))-\(number.dropFirst(12).prefix(2))"
            var row = [
                "rowID": "\(tag)-\(index + 1)", "documentNumber": number, "name": "王小明", "phone": "13712345678", "countyID": "430102",
                "gender": Int(String(Array(number)[16]))! % 2 == 1 ? "男" : "女", "ethnicGroup": "01", "birthDate": birth, "politicalStatus": "13",
                "educationLevel": "1", "foreignLanguage": "1", "candidateCharacteristic": "0", "enrolmentCategory": "1",
                "graduationDate": "2015-06-30", "graduatedFrom": "长沙市第一中学", "occupationCategory": "2", "postalAddress": "长沙市芙蓉区五一大道 1 号",
                "postcode": "410011", "householdCity": "430100",
                "choice1.level": "高起本", "choice1.subjectCategory": "文", "choice1.studyForm": "业余", "choice1.institutionCode": "10538",
                "choice1.majorCode": "A01",
                "choice2.level": "高起专", "choice2.subjectCategory": "文", "choice2.studyForm": "业余", "choice2.institutionCode": "10538",
                "choice2.majorCode": "B01",
            ]
            if index % 20 == 7 {
                let fault = faults[(index / 20) % faults.count]
                fault.apply(&row)
                bad[index + 2] = fault.field  // the file's line: the header is line 1
            }
            rows.append(row)
        }
        return (rows, bad)
    }

    static func csv(_ rows: [[String: String]]) -> [UInt8] {
        let lines = [header.joined(separator: ",")] + rows.map { row in header.map { row[$0] ?? "" }.joined(separator: ",") }
        return Array(lines.joined(separator: "\r\n").utf8)
    }

    /// A real XLSX (a ZIP with the worksheet XML): strings shared, except the ID numbers inline.
    static func xlsx(_ rows: [[String: String]]) throws -> [UInt8] {
        var shared: [String] = []
        var index: [String: Int] = [:]
        func sharedIndex(_ text: String) -> Int {
            if let found = index[text] { return found }
            shared.append(text)
            index[text] = shared.count - 1
            return shared.count - 1
        }
        func column(_ number: Int) -> String {
            number < 26 ? String(UnicodeScalar(65 + number)!) : String(UnicodeScalar(64 + number / 26)!) + String(UnicodeScalar(65 + number % 26)!)
        }
        var sheet = #"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#
        for (rowIndex, values) in ([header] + rows.map { row in header.map { row[$0] ?? "" } }).enumerated() {
            sheet += "<row r=\"\(rowIndex + 1)\">"
            for (columnIndex, value) in values.enumerated() where !value.isEmpty {
                let reference = "\(column(columnIndex))\(rowIndex + 1)"
                if header[columnIndex] == "documentNumber" && rowIndex > 0 {
                    sheet += "<c r=\"\(reference)\" t=\"inlineStr\"><is><t>\(value)</t></is></c>"
                } else {
                    sheet += "<c r=\"\(reference)\" t=\"s\"><v>\(sharedIndex(value))</v></c>"
                }
            }
            sheet += "</row>"
        }
        sheet += "</sheetData></worksheet>"
        let strings = #"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#
            + shared.map { "<si><t>\($0)</t></si>" }.joined() + "</sst>"
        let archive = try Archive(accessMode: .create)
        for (path, text) in [("xl/worksheets/sheet1.xml", sheet), ("xl/sharedStrings.xml", strings)] {
            let data = Data(text.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        return Array(archive.data!)
    }

    /// A worker process of `service` (the registration's by default), as ops/ starts one.
    static func startWorker(_ service: String = "Registration") throws -> Process {
        let process = spawnable(TestStack.binDirectory.appendingPathComponent(service).path, [])
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["ROLE": "worker", "HTTP_PORT": "\(unusedPort())", "LOG_LEVEL": "warning"]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func stop(_ process: Process) async throws {
        process.terminate()
        _ = try await offThePool { process.waitUntilExit() }
    }

    static func upload(_ file: [UInt8], name: String, _ fixture: AccessFixture, as browser: Browser) async throws -> TestResponse {
        var headers = browser.headers(json: false)
        headers[.contentType] = "application/octet-stream"
        return try await fixture.send(.post, "/staff/paper-forms?fileName=\(name)", raw: file, headers: headers)
    }

    static func finished(_ batch: String, _ fixture: AccessFixture, as browser: Browser, within limit: Duration = .seconds(120)) async throws -> [String: Any] {
        var browser = browser
        var last: [String: Any] = [:]
        _ = try await eventually(within: limit) {
            last = try await fixture.send(.get, "/staff/paper-forms/\(batch)", as: &browser).json
            return ["done", "failed"].contains(last["status"] as? String ?? "")
        }
        return last
    }

    /// Report lines by file line: (outcome, fields named).
    static func report(_ batch: String, _ fixture: AccessFixture, as browser: Browser) async throws -> [Int: (outcome: String, fields: Set<String>)] {
        var browser = browser
        let response = try await fixture.send(.get, "/staff/paper-forms/\(batch)/report", as: &browser)
        #expect(response.headers[.contentType] == "text/csv; charset=utf-8")
        var lines: [Int: (String, Set<String>)] = [:]
        for line in response.text.split(separator: "\r\n").dropFirst() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard cells.count >= 4, let number = Int(cells[0]) else { continue }
            var entry = lines[number] ?? (cells[2], [])
            if !cells[3].isEmpty { entry.1.insert(cells[3]) }
            lines[number] = entry
        }
        return lines.mapValues { (outcome: $0.0, fields: $0.1) }
    }

    @Test func aBatchImportsThroughTheWebFormsRulesAndAReuploadChangesNothing() async throws {
        try await MachineLoad.registrationWorkers.alone {
            try await AccessFixture.with { fixture in
                try await ExamYearSetup.shared.ensure(fixture)
                var (_, province) = try await fixture.signedInProvinceAdministrator()
                let (_, operatorBrowser) = try await fixture.signedInStaff(at: "TP430102A", roles: ["point_operator"], approvedBy: &province)
                let (rows, bad) = Self.rows(60, tag: "T\(UUID().uuidString.prefix(6))")

                // Not a batch file at all: refused at once.
                let image = try await Self.upload(TestImages.photo, name: "forms.csv", fixture, as: operatorBrowser)
                #expect(image.status == .unprocessableContent)
                #expect(image.errorFields == ["file"] && image.text.contains("paper_form.format"))

                let worker = try Self.startWorker()
                let first = try await Self.upload(Self.csv(rows), name: "forms.csv", fixture, as: operatorBrowser)
                #expect(first.status == .accepted, "\(first.text)")
                let batch = try #require(first.json["batchID"] as? String)
                let done = try await Self.finished(batch, fixture, as: operatorBrowser)
                #expect(done["status"] as? String == "done", "\(done)")
                #expect(done["totalRows"] as? Int == 60 && done["created"] as? Int == 57 && done["errors"] as? Int == 3, "\(done)")
                let report = try await Self.report(batch, fixture, as: operatorBrowser)
                #expect(report.count == 60)
                for (line, field) in bad {
                    #expect(report[line]?.outcome == "错误", "line \(line)")
                    #expect(report[line]?.fields.contains(field) == true, "line \(line): \(report[line]?.fields ?? [])")
                }
                // Imported candidates are submitted at the point, with the transition by the operator.
                let good = rows.enumerated().filter { bad[$0.offset + 2] == nil }.map { $0.element["rowID"]! }
                let submitted = try await fixture.postgres.query(
                    """
                    SELECT count(*)::int FROM paper_form_entry e JOIN candidate_account c ON c.id = e.candidate_id
                    JOIN candidate_transition t ON t.candidate_id = c.id AND t.to_status = 'submitted' AND t.actor_kind = 'staff'
                    WHERE e.point_id = 'TP430102A' AND e.row_id = ANY(\(good)) AND c.status = 'submitted' AND c.password_hash IS NULL
                    """, logger: TestStack.logger
                ).decode(Int.self).first { _ in true }
                #expect(submitted == 57)

                // The same file again (as XLSX this time): every good row unchanged, the bad ones reported again.
                let again = try await Self.upload(try Self.xlsx(rows), name: "forms.xlsx", fixture, as: operatorBrowser)
                let second = try #require(again.json["batchID"] as? String, "\(again.text)")
                let redone = try await Self.finished(second, fixture, as: operatorBrowser)
                #expect(redone["unchanged"] as? Int == 57 && redone["created"] as? Int == 0 && redone["errors"] as? Int == 3, "\(redone)")
                let accounts = try await fixture.postgres.query(
                    "SELECT count(DISTINCT candidate_id)::int FROM paper_form_entry WHERE point_id = 'TP430102A' AND row_id = ANY(\(good))",
                    logger: TestStack.logger
                ).decode(Int.self).first { _ in true }
                #expect(accounts == 57)
                try await Self.stop(worker)

                // Scope: another point's operator cannot read the batch.
                var (_, other) = try await fixture.signedInStaff(at: "TP430103L", roles: ["point_operator"], approvedBy: &province)
                #expect(try await fixture.send(.get, "/staff/paper-forms/\(batch)", as: &other).status == .forbidden)
            }
        }
    }

    @Test func aFileWithoutTheRequiredColumnsFailsWithTheReason() async throws {
        try await MachineLoad.registrationWorkers.alone {
            try await AccessFixture.with { fixture in
                try await ExamYearSetup.shared.ensure(fixture)
                var (_, province) = try await fixture.signedInProvinceAdministrator()
                let (_, operatorBrowser) = try await fixture.signedInStaff(at: "TP430102A", roles: ["point_operator"], approvedBy: &province)
                let worker = try Self.startWorker()
                let uploaded = try await Self.upload(Array("草表编号,姓名,血型\r\nA1,张三,O\r\n".utf8), name: "wrong.csv", fixture, as: operatorBrowser)
                let batch = try #require(uploaded.json["batchID"] as? String)
                let done = try await Self.finished(batch, fixture, as: operatorBrowser)
                try await Self.stop(worker)
                #expect(done["status"] as? String == "failed")
                let failure = done["failure"] as? String ?? ""
                #expect(failure.contains("未知的列：血型") && failure.contains("documentNumber"), "\(failure)")
            }
        }
    }

    /// Long enough that the writing (the last, fastest phase: 100 rows a transaction in four
    /// lanes) is still under way when the test sees the first rows and kills the worker.
    static let killedFileRows = 6000

    /// kill -9 of the worker in the middle of a file, then a new worker: every row imported
    /// once, as an uninterrupted run would have (created, one submission and one event each).
    @Test func aKilledWorkerResumesAndTheEndStateIsAsIfUninterrupted() async throws {
        try await MachineLoad.registrationWorkers.alone {
            try await AccessFixture.with { fixture in
                try await ExamYearSetup.shared.ensure(fixture)
                var (_, province) = try await fixture.signedInProvinceAdministrator()
                let (_, operatorBrowser) = try await fixture.signedInStaff(at: "TP430102A", roles: ["point_operator"], approvedBy: &province)
                let (rows, bad) = Self.rows(Self.killedFileRows, tag: "K\(UUID().uuidString.prefix(6))")
                let uploaded = try await Self.upload(Self.csv(rows), name: "big.csv", fixture, as: operatorBrowser)
                let batch = try #require(uploaded.json["batchID"] as? String)

                let first = try Self.startWorker()
                var browser = operatorBrowser
                let midway = try await eventually(within: .seconds(120)) {
                    let processed = try await fixture.send(.get, "/staff/paper-forms/\(batch)", as: &browser).json["processedRows"] as? Int ?? 0
                    return processed >= 100
                }
                #expect(midway)
                kill(first.processIdentifier, SIGKILL)
                _ = try await offThePool { first.waitUntilExit() }
                let atKill = try await fixture.send(.get, "/staff/paper-forms/\(batch)", as: &browser).json
                #expect((atKill["processedRows"] as? Int ?? 0) < Self.killedFileRows, "killed before the end: \(atKill)")

                let second = try Self.startWorker()
                let done = try await Self.finished(batch, fixture, as: operatorBrowser, within: .seconds(180))
                try await Self.stop(second)
                #expect(done["status"] as? String == "done", "\(done)")
                #expect(done["processedRows"] as? Int == Self.killedFileRows)
                #expect(done["created"] as? Int == Self.killedFileRows - bad.count, "\(done)")
                #expect(done["errors"] as? Int == bad.count)
                #expect(done["updated"] as? Int == 0 && done["unchanged"] as? Int == 0, "no row applied twice: \(done)")
                let report = try await Self.report(batch, fixture, as: operatorBrowser)
                #expect(bad.allSatisfy { report[$0.key]?.fields.contains($0.value) == true })
                // One submission and one event per imported candidate.
                let good = rows.enumerated().filter { bad[$0.offset + 2] == nil }.map { $0.element["rowID"]! }
                let counts = try await fixture.postgres.query(
                    """
                    SELECT count(DISTINCT e.candidate_id)::int,
                           (SELECT count(*)::int FROM candidate_transition t JOIN paper_form_entry x ON x.candidate_id = t.candidate_id
                            WHERE x.point_id = 'TP430102A' AND x.row_id = ANY(\(good)) AND t.to_status = 'submitted'),
                           (SELECT count(*)::int FROM outbox_event o JOIN paper_form_entry x ON o.aggregate_id = 'candidate-' || x.candidate_id
                            WHERE x.point_id = 'TP430102A' AND x.row_id = ANY(\(good)) AND o.event_type = 'CandidateSubmitted')
                    FROM paper_form_entry e WHERE e.point_id = 'TP430102A' AND e.row_id = ANY(\(good))
                    """, logger: TestStack.logger
                ).decode((Int, Int, Int).self).first { _ in true }
                #expect(counts?.0 == good.count && counts?.1 == good.count && counts?.2 == good.count, "\(String(describing: counts))")
            }
        }
    }
}
