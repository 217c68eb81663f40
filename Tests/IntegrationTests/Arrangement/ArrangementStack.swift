import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
import Settings
import Synchronization
import Testing

/// The suites whose tests start Arrangement and DocumentGeneration workers on scratch databases.
/// A worker consumes its queues whatever database it serves, so a worker of one test would take
/// (and, finding nothing, acknowledge) another's messages: these suites run one test at a time,
/// together.
@Suite(.serialized) enum WorkerQueueSuites {}

/// The arrangement's tests work in a scratch database (`ReviewStack`: the roster is every paid
/// candidate of the year, which the shared database's tests keep adding to) and start the
/// Arrangement worker on it, so they run one at a time (the numbering queue is shared).
enum ArrangementStack {
    /// The staff the tests act as, signed in.
    struct Staff {
        var province: Browser
        var city: Browser
        var otherCity: Browser
        /// 芙蓉区 (430102), the office of district 4302.
        var county: Browser
        /// 天心区 (430103).
        var otherCounty: Browser
    }

    static func staff(_ fixture: AccessFixture) async throws -> Staff {
        var (_, province) = try await fixture.signedInProvinceAdministrator()
        let (_, city) = try await fixture.signedInStaff(at: "430100", roles: ["city_officer"], approvedBy: &province)
        let (_, otherCity) = try await fixture.signedInStaff(at: "430200", roles: ["city_officer"], approvedBy: &province)
        let (_, county) = try await fixture.signedInStaff(at: "430102", roles: ["county_officer"], approvedBy: &province)
        let (_, otherCounty) = try await fixture.signedInStaff(at: "430103", roles: ["county_officer"], approvedBy: &province)
        return Staff(province: province, city: city, otherCity: otherCity, county: county, otherCounty: otherCounty)
    }

    /// The year's examination: 01 高起本文, 02 高起专文, 03 专升本经管; rooms of `seats`.
    static func setExamination(_ fixture: AccessFixture, _ staff: inout Staff, mixRemainders: Bool = false, seats: Int = 30) async throws {
        var document = ExamYearSetup.document()
        let day = "\(ExamYearSetup.year)-10-24T"
        func paper(_ name: String, _ from: String, _ to: String) -> [String: String] { ["name": name, "starts": "\(day)\(from):00+08:00", "ends": "\(day)\(to):00+08:00"] }
        document["examination"] = [
            "seatsPerRoom": seats, "mixRemainders": mixRemainders,
            "candidateRules": "一、考生凭准考证和本人有效身份证件参加考试，开考前 20 分钟进入考场。二、开考 15 分钟后不得进入考场，考试结束前 30 分钟内不得交卷离场。三、严禁携带手机等通讯工具进入考场。四、遵守考场规则，服从监考人员管理，诚信应考。",
            "groups": [
                ["code": "01", "name": "高起本文科", "level": "high_school_to_bachelor", "subjectCategory": "文",
                 "papers": [paper("语文", "09:00", "11:00"), paper("数学（文）", "15:00", "17:00")]],
                ["code": "02", "name": "高起专文科", "level": "high_school_to_associate", "subjectCategory": "文", "papers": [paper("语文", "09:00", "11:00")]],
                ["code": "03", "name": "专升本经管类", "level": "associate_to_bachelor", "subjectCategory": "经管", "papers": [paper("政治", "09:00", "11:30")]],
            ],
        ]
        let saved = try await fixture.send(.put, "/staff/exam-years/\(ExamYearSetup.year)", document, as: &staff.province)
        #expect(saved.status == .ok, "\(saved.text)")
    }

    /// Districts 4301 (长沙市, its office the city) and 4302 (长沙市, its office 芙蓉区).
    static func setDistricts(_ fixture: AccessFixture, _ staff: inout Staff) async throws {
        for (code, name, office) in [("4301", "长沙市第一考区", "430100"), ("4302", "长沙市第二考区", "430102")] {
            let saved = try await fixture.send(.put, "/staff/exam-districts/\(code)", ["name": name, "cityID": "430100", "officeID": office], as: &staff.province)
            #expect(saved.status == .ok, "\(saved.text)")
        }
    }

    /// A site proposed by `county` in `district`, passed by the city and approved by the province; its id.
    static func approvedSite(
        _ fixture: AccessFixture, _ staff: inout Staff, district: String, rooms: Int, accessible: Int = 0, name: String = "长沙市第一中学", byOtherCounty: Bool = false
    ) async throws -> String {
        let body: [String: Any] = [
            "name": name, "districtCode": district, "address": "长沙市开福区测试路 \(rooms) 号", "contact": "刘老师", "phone": "0731-84440000",
            "rooms": rooms, "accessibleRooms": accessible,
        ]
        let proposed = byOtherCounty
            ? try await fixture.send(.post, "/staff/exam-sites", body, as: &staff.otherCounty) : try await fixture.send(.post, "/staff/exam-sites", body, as: &staff.county)
        #expect(proposed.status == .created, "\(proposed.text)")
        let id = try #require(proposed.json["id"] as? String)
        #expect(try await fixture.send(.post, "/staff/exam-sites/\(id)/review", ["approve": true], as: &staff.city).status == .ok)
        #expect(try await fixture.send(.post, "/staff/exam-sites/\(id)/approve", [String: String](), as: &staff.province).status == .ok)
        return id
    }

    static func setScope(_ fixture: AccessFixture, _ staff: inout Staff, county: String, group: String, district: String) async throws {
        let saved = try await fixture.send(.put, "/staff/scope-rules", ["countyID": county, "examGroup": group, "districtCode": district], as: &staff.city)
        #expect(saved.status == .ok, "\(saved.text)")
    }

    /// Candidate numbers from 800001 on, above those the real confirmations in these tests give.
    private static let sequence = Mutex(800_000)

    /// `count` candidates of `county` as confirmation and payment leave them (written directly:
    /// the roster is what the numbering reads), with `status`; their ids.
    static func candidates(
        _ count: Int, county: String, level: String = "high_school_to_bachelor", category: String = "文", status: String = "paid", _ fixture: AccessFixture
    ) async throws -> [Int64] {
        let first = sequence.withLock { value in
            defer { value += count }
            return value
        }
        let choices = #"[{"level":"\#(level)","subjectCategory":"\#(category)","studyForm":"part_time","institutionCode":"10538","majorCode":"A01"}]"#
        let prefix = String(ExamYearSetup.year % 100) + county
        return try await fixture.postgres.withTransaction(logger: TestStack.logger) { connection in
            let ids = try await connection.query(
                """
                INSERT INTO candidate_account (document_type, document_number_sealed, document_number_lookup, document_number_masked, name, phone_sealed,
                                               phone_masked, personal_data_key_id, password_hash, organisation_node_id, status)
                SELECT 'resident_id', '\\x01', sha256(convert_to('arrangement-' || \(prefix) || g, 'UTF8')), '430102********0000', '编排' || g, '\\x01',
                       '137****0000', 'k', 'x', \(county), \(status)
                FROM generate_series(\(first + 1), \(first + count)) g ORDER BY g
                RETURNING id
                """, logger: TestStack.logger
            ).decode(Int64.self).reduce(into: [Int64]()) { $0.append($1) }
            try await connection.query(
                """
                INSERT INTO registration (candidate_id, year, basic_sealed, personal_data_key_id, choices, confirmation_point_id, submitted_at)
                SELECT unnest(\(ids)::int8[]), \(ExamYearSetup.year), '\\x01', 'k', \(choices)::jsonb, 'TP430102A', now()
                """, logger: TestStack.logger)
            try await connection.query(
                """
                INSERT INTO candidate_confirmation (candidate_id, year, candidate_number, confirmation_point_id, confirmed_by)
                SELECT id, \(ExamYearSetup.year), \(prefix) || lpad((\(first) + n)::text, 6, '0'), 'TP430102A', (SELECT min(id) FROM staff_account)
                FROM unnest(\(ids)::int8[]) WITH ORDINALITY AS x(id, n)
                """, logger: TestStack.logger)
            return ids
        }
    }

    /// A worker of `service` (the Arrangement's) on the scratch database, as ops/ starts one.
    static func startWorker(_ settings: PostgresSettings, service: String = "Arrangement") throws -> Process {
        let process = spawnable(TestStack.binDirectory.appendingPathComponent(service).path, [])
        process.environment = ProcessInfo.processInfo.environment.merging([
            "ROLE": "worker", "HTTP_PORT": "\(unusedPort())", "LOG_LEVEL": "warning", "POSTGRES_DATABASE": settings.database,
            "DOCUMENT_STORE": AccessFixture.documentStore(for: settings.database),
            "POSTGRES_USER": settings.user, "POSTGRES_PASSWORD": settings.password,
        ]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func stop(_ process: Process) async throws {
        process.terminate()
        _ = try await offThePool { process.waitUntilExit() }
    }

    /// Asks for a run and waits for its end (done or refused); the run as staff see it.
    static func run(seed: String?, _ fixture: AccessFixture, _ staff: inout Staff, within limit: Duration = .seconds(120)) async throws -> [String: Any] {
        let requested = try await fixture.send(.post, "/staff/numbering-runs", seed.map { ["seed": $0] } ?? [String: String](), as: &staff.province)
        #expect(requested.status == .accepted, "\(requested.text)")
        let id = try #require(requested.json["id"] as? String)
        return try await finished(id, fixture, &staff, within: limit)
    }

    static func finished(_ id: String, _ fixture: AccessFixture, _ staff: inout Staff, within limit: Duration = .seconds(120)) async throws -> [String: Any] {
        var province = staff.province
        var run: [String: Any] = [:]
        _ = try await eventually(within: limit) {
            run = try await fixture.send(.get, "/staff/numbering-runs/\(id)", as: &province).json
            return ["done", "refused"].contains(run["status"] as? String ?? "")
        }
        return run
    }

    /// The run's output as the province downloads it: `ticket,candidateNumber` lines.
    static func tickets(_ id: String, _ fixture: AccessFixture, _ staff: inout Staff) async throws -> [String] {
        let file = try await fixture.send(.get, "/staff/numbering-runs/\(id)/tickets", as: &staff.province)
        #expect(file.status == .ok, "\(file.text)")
        return file.text.replacingOccurrences(of: "\u{FEFF}", with: "").split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.dropFirst()
            .filter { !$0.isEmpty }
    }

    /// `ops/numbering-audit` on the roster the output implies (number, district, group): its digest and lines.
    static func audit(_ lines: [String], seed: String, mix: Bool) throws -> (digest: String, lines: [String]) {
        let roster = "candidateNumber,district,group\n" + lines.map { line in
            let parts = line.split(separator: ",")
            return "\(parts[1]),\(parts[0].prefix(4)),\(parts[0].dropFirst(4).prefix(2))\n"
        }.joined()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [TestStack.repository.appendingPathComponent("ops/numbering-audit").path, seed] + (mix ? ["--mix"] : [])
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(roster.utf8))
        try input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let result = text.split(separator: "\n").map(String.init)
        return (result.first ?? "", Array(result.dropFirst()))
    }
}
