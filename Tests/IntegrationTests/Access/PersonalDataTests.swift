import Access
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PostgresNIO
import RegistrationService
import Settings
import Testing
/// ID and phone numbers are sealed at rest, never logged, and the audit trail cannot be edited.
@Suite struct PersonalDataTests {
    /// Every run of 18 characters in `text` that is a valid resident ID number.
    /// (A byte scan: a dump is large and a regex over it slow.)
    static func residentIDs(in text: String) -> Set<String> { residentIDs(in: Array(text.utf8)) }

    static func residentIDs(in bytes: [UInt8]) -> Set<String> {
        var found = Set<String>()
        var runStart = 0, index = 0
        func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }
        while index <= bytes.count {
            if index < bytes.count && isDigit(bytes[index]) {
                index += 1
                continue
            }
            var end = index
            if index < bytes.count && bytes[index] == UInt8(ascii: "X") && index - runStart == 17 { end += 1 }
            if end - runStart == 18 {
                let candidate = String(decoding: bytes[runStart..<end], as: UTF8.self)
                if IdentityDocument.checkCharacter(of: candidate) == candidate.last && IdentityDocument.birthDate(ofResidentID: candidate) != nil {
                    found.insert(candidate)
                }
            }
            index += 1
            runStart = index
        }
        return found
    }

    @Test func aDatabaseDumpHoldsNoIDNumberInPlaintext() async throws {
        try await AccessFixture.with { fixture in
            var numbers: [String] = []
            for _ in 0..<5 {
                let (candidate, _) = try await fixture.signedInCandidate()
                numbers.append(candidate.number)
            }
            let postgres = TestStack.postgres
            let owner = (TestStack.value("POSTGRES_OWNER_USER"), TestStack.value("POSTGRES_OWNER_PASSWORD"))
            let (status, data, found) = try await offThePool { () throws -> (Int32, Data, Set<String>) in
                let dump = Process()
                dump.executableURL = URL(fileURLWithPath: "/usr/bin/pg_dump")
                dump.arguments = ["-h", postgres.host, "-p", "\(postgres.port)", "-U", owner.0, "--data-only", postgres.database]
                dump.environment = ["PGPASSWORD": owner.1, "PATH": "/usr/bin:/bin"]
                let output = Pipe()
                dump.standardOutput = output
                dump.standardError = FileHandle.nullDevice
                try dump.run()
                let data = output.fileHandleForReading.readDataToEndOfFile()
                dump.waitUntilExit()
                return (dump.terminationStatus, data, Self.residentIDs(in: Array(data)))
            }
            #expect(status == 0)
            #expect(data.range(of: Data("COPY public.candidate_account".utf8)) != nil, "the dump covers the accounts table")
            for number in numbers { #expect(data.range(of: Data(number.utf8)) == nil) }
            #expect(found.isEmpty)
        }
    }

    @Test func theLogsHoldNoIDOrPhoneNumbers() async throws {
        try await AccessFixture.with { fixture in
            var (candidate, browser) = try await fixture.signedInCandidate()
            var stranger = Browser()
            _ = try await fixture.send(.post, "/session", ["documentNumber": candidate.number, "password": "wrong-one-1"], as: &stranger)
            _ = try await fixture.send(.post, "/accounts", candidate.signUpBody, as: &stranger)
            _ = try await fixture.send(.post, "/password-reset/code", ["documentNumber": candidate.number], as: &stranger)
            _ = try await fixture.send(.post, "/me/phone", ["currentPassword": candidate.password, "phone": "13344445555"], as: &browser)
            // The development SMS sender logs the message with the phone masked.
            try await LogOnlySMSSender(logger: fixture.access.logger).send("验证码 123456", to: "13344445555")
            let text = fixture.log.text
            #expect(text.contains("133****5555"))
            #expect(!text.contains(candidate.number))
            #expect(!text.contains("13344445555"))
            #expect(!text.contains("13712345678"))
            #expect(Self.residentIDs(in: text).isEmpty)
        }
    }

    /// The services' own logs under ops/test (the processes the gateway tests talk to).
    @Test func theTestStacksServiceLogsHoldNoIDNumber() throws {
        let logs = TestStack.repository.appendingPathComponent(".run-test/logs")
        let files = (try? FileManager.default.contentsOfDirectory(at: logs, includingPropertiesForKeys: nil)) ?? []
        for file in files where file.pathExtension == "log" {
            let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
            #expect(Self.residentIDs(in: text).isEmpty, "\(file.lastPathComponent)")
        }
    }

    @Test func theServicesRoleCannotChangeOrDeleteTheAuditTrail() async throws {
        try await withPostgres { client in
            try await client.query(
                "INSERT INTO audit_event (actor_kind, action, target_kind, target_id, outcome, client_address) VALUES ('operations', 'test', 'test', 'x', 'allowed', 'local')",
                logger: TestStack.logger)
            for statement: PostgresQuery in [
                "UPDATE audit_event SET action = 'changed' WHERE action = 'test'", "DELETE FROM audit_event WHERE action = 'test'",
                "TRUNCATE audit_event",
            ] {
                let error = await #expect(throws: PSQLError.self) { try await client.query(statement, logger: TestStack.logger) }
                #expect(error?.serverInfo?[.sqlState] == "42501", "permission denied, for \(statement.sql)")
            }
        }
        // Not even the owner, whose rights are whole: the trigger refuses.
        _ = try await withPostgres(TestStack.ownerSettings(database: TestStack.postgres.database)) { client in
            let error = await #expect(throws: PSQLError.self) {
                try await client.query("UPDATE audit_event SET action = 'changed' WHERE action = 'test'", logger: TestStack.logger)
            }
            #expect(error?.serverInfo?[.message]?.contains("append-only") == true)
        }
    }

    @Test func theScannerFindsWhatItLooksFor() {
        let number = Candidate.randomResidentID()
        #expect(Self.residentIDs(in: "a \(number)\tb 123456789012345678 \(number)9") == [number])
    }

    @Test func sealedValuesOpenOnlyWithTheirKeyAndColumnAndSurviveRotation() throws {
        func settings(_ keys: String) throws -> PersonalDataSettings {
            try PersonalDataSettings(reader: SettingsReader(arguments: ["t"], environment: [
                "PERSONAL_DATA_KEYS": keys, "PERSONAL_DATA_LOOKUP_KEY": Data(repeating: 1, count: 32).base64EncodedString(),
            ]))
        }
        let old = "a1:" + Data(repeating: 5, count: 32).base64EncodedString()
        let new = "b2:" + Data(repeating: 6, count: 32).base64EncodedString()
        let before = PersonalDataCipher(settings: try settings(old))
        let sealed = try before.seal("430102199001011234", column: "c")
        #expect(sealed.keyID == "a1")
        #expect(!String(decoding: sealed.bytes, as: UTF8.self).contains("4301021990"))
        #expect(throws: PersonalDataCipher.Failure.self) { try before.open(sealed, column: "other") }
        var damaged = sealed.bytes
        damaged[20] ^= 1
        #expect(throws: PersonalDataCipher.Failure.self) { try before.open(.init(keyID: "a1", bytes: damaged), column: "c") }

        let after = PersonalDataCipher(settings: try settings(new + "," + old))
        #expect(try after.open(sealed, column: "c") == "430102199001011234")
        #expect(try after.seal("x", column: "c").keyID == "b2")
        #expect(before.lookupHash("v", purpose: "p") == after.lookupHash("v", purpose: "p"))
        #expect(before.lookupHash("v", purpose: "p") != after.lookupHash("v", purpose: "q"))
        #expect(throws: PersonalDataCipher.Failure.self) { try PersonalDataCipher(settings: try settings(new)).open(sealed, column: "c") }
    }

    @Test(arguments: [
        ("", "must be set"), ("a1:short", "32-byte"), ("a1:" + Data(repeating: 1, count: 32).base64EncodedString() + ",a1:" + Data(repeating: 2, count: 32).base64EncodedString(), "twice"),
    ])
    func aBadKeySettingIsRefusedNamingIt(value: String, reason: String) {
        var environment = ["PERSONAL_DATA_LOOKUP_KEY": Data(repeating: 1, count: 32).base64EncodedString()]
        if !value.isEmpty { environment["PERSONAL_DATA_KEYS"] = value }
        do {
            _ = try PersonalDataSettings(reader: SettingsReader(arguments: ["t"], environment: environment))
            Issue.record("accepted \(value)")
        } catch {
            #expect(error.setting == "PERSONAL_DATA_KEYS")
            #expect(error.description.contains(reason))
            #expect(!error.description.contains(value.isEmpty ? "-" : value), "a key never appears in the message")
        }
    }
}
