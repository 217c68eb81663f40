import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Testing
/// Bad input on every endpoint: 4xx with a JSON error (naming the field where there is one),
/// never a 5xx.
@Suite struct BadInputTests {
    enum Who { case nobody, candidate, provinceAdministrator }

    static let endpoints: [(HTTPRequest.Method, String, Who)] = [
        (.post, "/accounts", .nobody), (.post, "/session", .nobody), (.post, "/password-reset/code", .nobody),
        (.post, "/password-reset", .nobody), (.post, "/me/password", .candidate), (.post, "/me/phone", .candidate),
        (.post, "/staff/candidates/lookup", .provinceAdministrator), (.put, "/staff/candidates/1/phone", .provinceAdministrator),
        (.post, "/staff/applications", .nobody), (.post, "/staff/session", .nobody),
        (.post, "/staff/applications/1/approve", .provinceAdministrator), (.post, "/staff/applications/1/reject", .provinceAdministrator),
        (.post, "/staff/me/password", .provinceAdministrator),
    ]

    static let longText = String(repeating: "长", count: 10_000)

    /// Bodies every endpoint must refuse, whatever its fields.
    static let badBodies: [(String, [UInt8])] = [
        ("empty object", Array("{}".utf8)),
        ("not JSON", Array("documentNumber=1".utf8)),
        ("a list", Array("[1,2]".utf8)),
        ("invalid UTF-8", [0x7B, 0x22, 0x6E, 0x61, 0x6D, 0x65, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0xFF, 0x22, 0x7D]),
        ("wrong types", Array(#"{"documentType":7,"documentNumber":430102,"name":[],"phone":true,"password":{},"countyID":1,"username":2,"nodeID":3,"code":4,"newPassword":5,"currentPassword":6,"roles":"x","reason":9}"#.utf8)),
        ("too large", Array(("{\"name\":\"" + String(repeating: "x", count: 70_000) + "\"}").utf8)),
        // PostgreSQL cannot store U+0000: a query given one fails, so it must never reach one.
        ("NUL characters", Array(#"{"documentType":"resident_id","documentNumber":"\u0000","name":"\u0000","phone":"\u0000","password":"\u0000","countyID":"\u0000","username":"\u0000","nodeID":"\u0000","code":"\u0000","newPassword":"\u0000","currentPassword":"\u0000","reason":"\u0000"}"#.utf8)),
    ]

    @Test func everyEndpointRefusesMalformedBodiesWithA4xx() async throws {
        try await AccessFixture.with { fixture in
            let (_, candidate) = try await fixture.signedInCandidate()
            let (_, province) = try await fixture.signedInProvinceAdministrator()
            for (method, path, who) in Self.endpoints {
                let browser = switch who {
                case .nobody: Browser()
                case .candidate: candidate
                case .provinceAdministrator: province
                }
                for (label, body) in Self.badBodies {
                    let response = try await fixture.send(method, path, raw: body, headers: browser.headers())
                    #expect((400..<500).contains(response.status.code), "\(method) \(path) with \(label): \(response.status) \(response.text.prefix(200))")
                    #expect(response.errorCode != nil, "\(method) \(path) with \(label): \(response.text.prefix(200))")
                }
            }
        }
    }

    /// The registration form accepts partial drafts, so its bad bodies are bad in other ways.
    @Test func theRegistrationFormRefusesMalformedBodiesWithA4xx() async throws {
        try await AccessFixture.with { fixture in
            try await ExamYearSetup.shared.ensure(fixture)
            let (_, candidate) = try await fixture.signedInCandidate()
            let bodies: [(String, [UInt8])] = [
                ("not JSON", Array("basic=1".utf8)), ("a list", Array("[1]".utf8)),
                ("invalid UTF-8", [0x7B, 0x22, 0x62, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D]),
                ("basic of the wrong type", Array(#"{"basic":5}"#.utf8)), ("choices of the wrong type", Array(#"{"choices":"x"}"#.utf8)),
                ("a field of the wrong type", Array(#"{"basic":{"phone":12}}"#.utf8)), ("an unknown level", Array(#"{"choices":[{"level":"phd"}]}"#.utf8)),
                ("three choices", Array(#"{"choices":[{},{},{}]}"#.utf8)),
                ("an over-long remark", Array(("{\"basic\":{\"remarks\":\"" + String(repeating: "长", count: 5_000) + "\"}}").utf8)),
                ("a NUL character", Array(#"{"basic":{"graduatedFrom":"a\u0000b"},"choices":[{"majorCode":"\u0000"}]}"#.utf8)),
                ("an unknown point", Array(#"{"confirmationPointID":"NOPE"}"#.utf8)),
                ("too large", Array(("{\"basic\":{\"remarks\":\"" + String(repeating: "x", count: 70_000) + "\"}}").utf8)),
            ]
            for (method, path) in [(HTTPRequest.Method.put, "/registration"), (.post, "/registration/submit")] {
                for (label, body) in bodies {
                    let response = try await fixture.send(method, path, raw: body, headers: candidate.headers())
                    #expect((400..<500).contains(response.status.code), "\(method) \(path) with \(label): \(response.status) \(response.text.prefix(200))")
                    #expect(response.errorCode != nil)
                }
            }
            for (label, body) in Self.badBodies {
                let response = try await fixture.send(.post, "/registration/pledge", raw: body, headers: candidate.headers())
                #expect((400..<500).contains(response.status.code), "pledge with \(label): \(response.status)")
            }
        }
    }

    @Test func signUpNamesEachBadField() async throws {
        try await AccessFixture.with { fixture in
            let valid = Candidate().signUpBody
            let number = Candidate.randomResidentID()
            let wrongCheck = String(number.prefix(17)) + (number.last == "1" ? "2" : "1")
            let cases: [(String, Any, String)] = [
                ("documentNumber", wrongCheck, "id_number.check_digit"),
                ("documentNumber", "43010219901301123X", "id_number.check_digit"),
                ("documentNumber", "4301021990", "id_number.format"),
                ("documentNumber", Self.longText, "too_long"),
                ("name", Self.longText, "too_long"),
                ("name", "李", "name.length"),
                ("name", "Robert'); DROP", "name.characters"),
                ("phone", "2371234567", "phone.format"),
                ("phone", "1371234567x", "phone.format"),
                ("password", "short", "password.too_short"),
                ("password", "12345678", "password.too_common"),
                ("password", Self.longText, "password.too_long"),
                ("countyID", "430100", "county.unknown"),
                ("countyID", Self.longText, "county.unknown"),
                ("documentType", "passport_of_mars", "invalid"),
            ]
            for (field, value, code) in cases {
                var body = valid
                body[field] = value
                var browser = Browser()
                let response = try await fixture.send(.post, "/accounts", body, as: &browser)
                #expect((400..<500).contains(response.status.code), "\(field)=\(String(describing: value).prefix(20)): \(response.status)")
                let fields = (response.json["error"] as? [String: Any])?["fields"] as? [[String: Any]] ?? []
                #expect(fields.contains { $0["field"] as? String == field && ($0["code"] as? String == code) }, "\(field): \(response.text.prefix(300))")
                #expect(fields.allSatisfy { !($0["message"] as? String ?? "").isEmpty })
            }
            // A form valid but for a NUL in its county (found by schemathesis: it was a 500).
            var nul = valid
            nul["countyID"] = "4301\u{0}02"
            var nulBrowser = Browser()
            let refused = try await fixture.send(.post, "/accounts", nul, as: &nulBrowser)
            #expect(refused.status == .badRequest)
            #expect(refused.errorCode == "invalid_characters")

            var missing = valid
            missing["phone"] = nil
            var browser = Browser()
            let response = try await fixture.send(.post, "/accounts", missing, as: &browser)
            #expect(response.status == .badRequest)
            #expect(response.errorFields == ["phone"])
        }
    }

    @Test func aSecondSignUpWithTheSameIDPointsToPasswordReset() async throws {
        try await AccessFixture.with { fixture in
            let candidate = Candidate()
            var browser = Browser()
            #expect(try await fixture.send(.post, "/accounts", candidate.signUpBody, as: &browser).status == .created)
            // Lower-case x and surrounding spaces are the same number.
            var body = candidate.signUpBody
            body["documentNumber"] = " " + candidate.number.lowercased() + " "
            let again = try await fixture.send(.post, "/accounts", body, as: &browser)
            #expect(again.status == .conflict)
            #expect(again.errorCode == "account.exists")
            let message = (again.json["error"] as? [String: Any])?["message"] as? String ?? ""
            #expect(message.contains("找回密码"))
        }
    }

    @Test func badPathIdsAre4xx() async throws {
        try await AccessFixture.with { fixture in
            var (_, province) = try await fixture.signedInProvinceAdministrator()
            var (_, candidate) = try await fixture.signedInCandidate()
            for path in ["/staff/candidates/abc", "/staff/candidates/-1", "/staff/candidates/99999999999999999999999", "/staff/accounts/0"] {
                let response = try await fixture.send(.get, path, as: &province)
                #expect((400..<500).contains(response.status.code), "\(path): \(response.status)")
            }
            #expect(try await fixture.send(.get, "/candidates/abc", as: &candidate).status == .notFound)
        }
    }
}
