import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Each service's openapi.json is its API's contract: every route the service adds is in it and
/// nothing else, and real answers, happy and not, conform to it.
@Suite struct OpenAPITests {
    typealias Service = AccessFixture.DocumentedService

    static func document(_ service: Service) -> [String: Any] {
        let url = TestStack.repository.appendingPathComponent("Services/\(service.rawValue)/openapi.json")
        let data = (try? Data(contentsOf: url)) ?? Data()
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }

    static func paths(_ service: Service) -> [String: [String: Any]] { document(service)["paths"] as? [String: [String: Any]] ?? [:] }

    @Test(arguments: Service.allCases)
    func theDocumentListsExactlyTheServicesRoutes(_ service: Service) throws {
        let document = Self.document(service)
        #expect((document["openapi"] as? String)?.hasPrefix("3.") == true, "Services/\(service.rawValue)/openapi.json")
        var documented = Set<String>()
        for (path, operations) in Self.paths(service) {
            for method in operations.keys { documented.insert("\(method.uppercased()) \(path)") }
        }
        let served = Set(try AccessFixture.routes(of: service)).union(["GET /health", "GET /health/live", "GET /metrics"])
        #expect(documented.subtracting(served).isEmpty, "\(service): documented, not served: \(documented.subtracting(served).sorted())")
        #expect(served.subtracting(documented).isEmpty, "\(service): served, not documented: \(served.subtracting(documented).sorted())")
    }

    @Test(arguments: Service.allCases)
    func everyReferenceResolves(_ service: Service) throws {
        let document = Self.document(service)
        let text = String(decoding: try JSONSerialization.data(withJSONObject: document), as: UTF8.self)
        let schemas = (document["components"] as? [String: Any])?["schemas"] as? [String: Any] ?? [:]
        for match in text.matches(of: /#\\\/components\\\/schemas\\\/([A-Za-z]+)/) {
            #expect(schemas[String(match.output.1)] != nil, "\(service): \(match.output.1)")
        }
    }

    /// Checks recorded answers against `service`'s document: each status documented for its
    /// operation, each JSON body of the schema documented for it.
    static func check(_ recorded: [(String, String, TestResponse)], against service: Service) throws {
        let document = Self.document(service)
        for (method, template, response) in recorded {
            let operation = try #require(Self.paths(service)[template]?[method] as? [String: Any], "\(service): \(method) \(template) is not documented")
            let responses = operation["responses"] as? [String: Any] ?? [:]
            let code = String(response.status.code)
            let documented = (responses[code] ?? responses["\(code.prefix(1))XX"]) as? [String: Any]
            #expect(documented != nil, "\(service): \(method) \(template) answered \(code), which is not documented")
            guard let schema = ((documented?["content"] as? [String: Any])?["application/json"] as? [String: Any])?["schema"],
                response.headers[.contentType]?.hasPrefix("application/json") == true
            else { continue }
            let value = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView), options: [.fragmentsAllowed])
            let problems = SchemaCheck(document: document).problems(value, schema, at: "\(method) \(template) \(code)")
            #expect(problems.isEmpty, "\(problems)")
        }
    }

    /// Real answers, happy and not, checked against the document's schema for their status.
    @Test func realAnswersConformToTheDocument() async throws {
        try await AccessFixture.with { fixture in
            try await ExamYearSetup.shared.ensure(fixture)
            var recorded: [(String, String, TestResponse)] = []
            var browser = Browser()
            let candidate = Candidate(county: "430102")
            func call(_ method: HTTPRequest.Method, _ template: String, _ path: String? = nil, _ body: Any? = nil) async throws {
                let response = try await fixture.send(method, path ?? template, body, as: &browser)
                recorded.append((method.rawValue.lowercased(), template, response))
            }
            try await call(.post, "/accounts", nil, candidate.signUpBody)
            try await call(.post, "/accounts", nil, ["documentType": "resident_id"])
            try await call(.post, "/session", nil, ["documentNumber": candidate.number, "password": "wrong-password"])
            try await call(.post, "/session", nil, candidate.loginBody)
            try await call(.get, "/me")
            try await call(.get, "/candidates/{id}", "/candidates/\(candidate.id + 1_000_000)")
            try await call(.get, "/exam-year")
            try await call(.get, "/pledge")
            try await call(.get, "/registration")
            try await call(.put, "/registration", nil, ["basic": ["phone": "13712345678"]])
            try await call(.get, "/registration/status")
            try await call(.get, "/confirmation-points")
            try await call(.post, "/registration/submit", nil, ExamYearSetup.form(for: candidate))
            try await call(.post, "/registration/pledge", nil, ["version": "\(ExamYearSetup.year)-1"])
            try await call(.post, "/registration/submit", nil, ExamYearSetup.form(for: candidate))
            try await call(.get, "/registration/status")
            try await call(.get, "/appointment-slots")
            try await call(.get, "/appointment")
            try await call(.post, "/appointment", nil, ["slotID": 999_999_999])
            try await call(.post, "/password-reset/code", nil, ["documentNumber": candidate.number])
            try await call(.post, "/session/code", nil, ["documentNumber": candidate.number])
            try await call(.post, "/session/code", nil, ["documentNumber": "12"])
            try await call(.post, "/me/phone", nil, ["currentPassword": candidate.password, "phone": "13600001111"])
            try await call(.get, "/staff/candidates/{id}", "/staff/candidates/1")
            try await call(.delete, "/session")

            try Self.check(recorded, against: .registration)
        }
    }

    /// The staff side of confirmation, payment and staff accounts, through their routes: a point
    /// proposed and approved, a slot, a candidate confirmed with photo and bonus claim, a paper-form
    /// batch, a flow form, reconciliation and unpaid follow-up, staff applications; refusals too.
    @Test func staffAnswersConformToEachServicesDocument() async throws {
        try await AccessFixture.with { fixture in
            try await ExamYearSetup.shared.ensure(fixture)
            var confirmation: [(String, String, TestResponse)] = []
            var payment: [(String, String, TestResponse)] = []
            var review: [(String, String, TestResponse)] = []
            var browser = Browser()
            func call(
                _ into: inout [(String, String, TestResponse)], _ method: HTTPRequest.Method, _ template: String, _ path: String? = nil, _ body: Any? = nil,
                as who: inout Browser
            ) async throws {
                let response = try await fixture.send(method, path ?? template, body, as: &who)
                into.append((method.rawValue.lowercased(), template, response))
            }
            func raw(_ into: inout [(String, String, TestResponse)], _ method: HTTPRequest.Method, _ template: String, _ path: String, _ bytes: [UInt8], _ type: String, as who: Browser) async throws {
                var headers = who.headers(json: false)
                headers[.contentType] = type
                into.append((method.rawValue.lowercased(), template, try await fixture.send(method, path, raw: bytes, headers: headers)))
            }
            // Staff accounts (Review).
            try await call(&review, .post, "/staff/applications", nil, ["username": "x"], as: &browser)
            try await call(&review, .post, "/staff/session", nil, ["username": "nobody_here", "password": "wrong-password"], as: &browser)
            try await call(&review, .get, "/staff/me", as: &browser)
            var (_, province) = try await fixture.signedInProvinceAdministrator()
            try await call(&review, .get, "/staff/me", as: &province)
            try await call(&review, .get, "/staff/applications", as: &province)
            try await call(&review, .get, "/staff/accounts", as: &province)
            try await call(&review, .get, "/staff/statistics", "/staff/statistics?node=430100", as: &province)
            try await call(&review, .get, "/staff/statistics", "/staff/statistics?year=1", as: &province)
            let username = "openapi_\(UInt32.random(in: 0...UInt32.max))"
            var applicant = Browser()
            try await call(&review, .post, "/staff/applications", nil,
                           ["username": username, "name": "王小明", "phone": "13912345678", "password": "St4ff#pass", "nodeID": "TP430102A"], as: &applicant)
            let applicationID = review.last?.2.json["id"] as? String ?? "0"
            try await call(&review, .get, "/staff/accounts/{id}", "/staff/accounts/\(applicationID)", as: &province)
            try await call(&review, .post, "/staff/applications/{id}/approve", "/staff/applications/\(applicationID)/approve", ["roles": ["no_such_role"]], as: &province)
            try await call(&review, .post, "/staff/applications/{id}/approve", "/staff/applications/\(applicationID)/approve", ["roles": ["point_operator"]], as: &province)
            try await call(&review, .post, "/staff/applications/{id}/reject", "/staff/applications/\(applicationID)/reject", ["reason": "重复申请"], as: &province)
            var operatorA = Browser()
            try await call(&review, .post, "/staff/session", nil, ["username": username, "password": "St4ff#pass"], as: &operatorA)
            try await call(&review, .post, "/staff/me/password", nil, ["currentPassword": "wrong", "newPassword": "x"], as: &operatorA)

            // Confirmation points, slots, the desk.
            var (_, county) = try await fixture.signedInStaff(at: "430104", roles: ["county_officer"], approvedBy: &province)
            var (_, city) = try await fixture.signedInStaff(at: "430100", roles: ["city_officer"], approvedBy: &province)
            try await call(&confirmation, .post, "/staff/points", nil, ["name": "x"], as: &county)
            try await call(&confirmation, .post, "/staff/points", nil, ConfirmationTests.proposal("接口文档确认点"), as: &county)
            let point = confirmation.last?.2.json["id"] as? String ?? "none"
            try await call(&confirmation, .get, "/staff/points", as: &county)
            try await call(&confirmation, .post, "/staff/points/{id}/approve", "/staff/points/\(point)/approve", [:] as [String: String], as: &province)
            try await call(&confirmation, .post, "/staff/points/{id}/review", "/staff/points/\(point)/review", ["approve": true], as: &city)
            try await call(&confirmation, .post, "/staff/points/{id}/return", "/staff/points/\(point)/return", [:] as [String: String], as: &province)
            try await call(&confirmation, .post, "/staff/points/{id}/approve", "/staff/points/\(point)/approve", [:] as [String: String], as: &province)
            let tomorrow = ConfirmationTests.tomorrow
            try await call(&confirmation, .post, "/staff/points/{id}/hours-overrides", "/staff/points/\(point)/hours-overrides", ["day": tomorrow, "reason": "加班办理"], as: &county)
            try await call(&confirmation, .post, "/staff/points/{id}/slots", "/staff/points/\(point)/slots",
                           ["day": tomorrow, "startsAt": "09:00", "endsAt": "10:00", "capacity": 5], as: &county)
            try await call(&confirmation, .post, "/staff/points/{id}/slots", "/staff/points/\(point)/slots",
                           ["day": tomorrow, "startsAt": "25:00", "endsAt": "10:00", "capacity": 0], as: &county)
            try await call(&confirmation, .get, "/staff/points/{id}/appointments", "/staff/points/\(point)/appointments?day=\(tomorrow)", as: &county)

            var (_, desk) = try await fixture.signedInStaff(at: "TP430102A", roles: ["point_operator"], approvedBy: &province)
            var (candidate, candidateBrowser) = try await fixture.signedInCandidate(county: "430102")
            _ = try await fixture.send(.post, "/registration/pledge", ["version": "\(ExamYearSetup.year)-1"], as: &candidateBrowser)
            _ = try await fixture.send(.post, "/registration/submit", ExamYearSetup.form(for: candidate), as: &candidateBrowser)
            try await call(&confirmation, .post, "/staff/confirmations", nil, ["documentNumber": candidate.number], as: &desk)
            try await call(&confirmation, .get, "/staff/candidates/{id}/photo", "/staff/candidates/\(candidate.id)/photo", as: &desk)
            try await raw(&confirmation, .put, "/staff/candidates/{id}/photo", "/staff/candidates/\(candidate.id)/photo", Array("not an image".utf8), "image/jpeg", as: desk)
            try await raw(&confirmation, .put, "/staff/candidates/{id}/photo", "/staff/candidates/\(candidate.id)/photo", TestImages.photo, "image/jpeg", as: desk)
            try await raw(&confirmation, .post, "/staff/candidates/{id}/document-scans", "/staff/candidates/\(candidate.id)/document-scans", TestImages.photo, "image/jpeg", as: desk)
            try await call(&confirmation, .post, "/staff/candidates/{id}/bonus-claims", "/staff/candidates/\(candidate.id)/bonus-claims",
                           ["policyCode": "B01", "evidence": "归侨证明 2020-001"], as: &desk)
            try await call(&confirmation, .get, "/staff/candidates/{id}/bonus-claims", "/staff/candidates/\(candidate.id)/bonus-claims", as: &desk)
            try await call(&confirmation, .post, "/staff/candidates/{id}/flow-form", "/staff/candidates/\(candidate.id)/flow-form", as: &desk)
            let requestID = confirmation.last?.2.json["requestID"] as? String ?? UUID().uuidString
            try await call(&confirmation, .get, "/staff/document-requests/{id}", "/staff/document-requests/\(requestID)", as: &desk)
            try await call(&confirmation, .post, "/staff/confirmations", nil, ["documentNumber": candidate.number], as: &desk)
            try await call(&confirmation, .post, "/staff/confirmations", nil, ["documentNumber": "123"], as: &desk)
            try await call(&confirmation, .get, "/staff/permit-reviews", as: &city)
            try await call(&confirmation, .post, "/staff/permit-reviews/{id}/approve", "/staff/permit-reviews/\(candidate.id)/approve", [:] as [String: String], as: &city)
            try await call(&confirmation, .post, "/staff/permit-reviews/{id}/refuse", "/staff/permit-reviews/\(candidate.id)/refuse", [:] as [String: String], as: &city)
            try await raw(&confirmation, .post, "/staff/paper-forms", "/staff/paper-forms?fileName=openapi.csv", Array("a,b\n1,2\n".utf8), "text/csv", as: desk)
            let batch = confirmation.last?.2.json["batchID"] as? String ?? UUID().uuidString
            try await call(&confirmation, .get, "/staff/paper-forms/{id}", "/staff/paper-forms/\(batch)", as: &desk)
            try await call(&confirmation, .get, "/staff/paper-forms/{id}/report", "/staff/paper-forms/\(batch)/report", as: &desk)

            // Reviews and data reports (Review): answers happy and not.
            try await call(&review, .get, "/staff/bonus-claims", "/staff/bonus-claims?status=open", as: &city)
            try await call(&review, .get, "/staff/bonus-claims", "/staff/bonus-claims?status=maybe", as: &city)
            try await call(&review, .get, "/staff/candidates/{id}/bonus", "/staff/candidates/\(candidate.id)/bonus", as: &city)
            try await call(&review, .put, "/staff/candidates/{id}/bonus/{policy}", "/staff/candidates/\(candidate.id)/bonus/B01", ["decision": "accept"], as: &city)
            try await call(&review, .put, "/staff/candidates/{id}/bonus/{policy}", "/staff/candidates/\(candidate.id)/bonus/B01", ["decision": "reject"], as: &city)
            try await raw(&review, .post, "/staff/bonus-lists", "/staff/bonus-lists", Array("考生号,政策代码,证明材料\n99999999999999,B01,归侨证明\n".utf8), "text/csv", as: city)
            try await call(&review, .get, "/staff/exemptions", as: &city)
            try await call(&review, .post, "/staff/exemptions/{id}/city-review", "/staff/exemptions/\(candidate.id)/city-review", ["decision": "pass"], as: &city)
            try await call(&review, .post, "/staff/exemption-lists", as: &city)
            try await call(&review, .post, "/staff/exemptions/{id}/decision", "/staff/exemptions/\(candidate.id)/decision", ["decision": "approve"], as: &province)
            try await call(&review, .get, "/staff/reports/blockers", "/staff/reports/blockers?unit=430104", as: &city)
            try await call(&review, .get, "/staff/reports", as: &city)
            try await call(&review, .post, "/staff/reports", as: &desk)
            try await call(&review, .get, "/staff/reports/{id}", "/staff/reports/999999999", as: &city)
            try await call(&review, .get, "/staff/reports/{id}/difference", "/staff/reports/999999999/difference", as: &city)
            try await call(&review, .post, "/staff/reports/{id}/return", "/staff/reports/999999999/return", ["reason": "x"], as: &province)
            try await call(&review, .get, "/staff/exports/province", "/staff/exports/province?format=pdf", as: &province)

            // Payment: unpaid follow-up, reconciliation, the callbacks' refusals.
            try await call(&payment, .get, "/staff/unpaid-candidates", as: &desk)
            try await call(&payment, .get, "/staff/unpaid-candidates", as: &county)
            try await call(&payment, .put, "/staff/unpaid-candidates/{id}/reason", "/staff/unpaid-candidates/\(candidate.id)/reason", ["reason": "考生表示稍后缴费"], as: &desk)
            try await call(&payment, .put, "/staff/unpaid-candidates/{id}/reason", "/staff/unpaid-candidates/\(candidate.id)/reason", ["reason": ""], as: &desk)
            try await raw(&payment, .post, "/staff/payments/reconciliations", "/staff/payments/reconciliations?provider=alipay&day=2026-09-02",
                          Array("trade_no,order_no,amount\n".utf8), "text/csv", as: province)
            let reconciliation = (payment.last?.2.json["id"] as? NSNumber)?.int64Value ?? 1
            try await call(&payment, .get, "/staff/payments/reconciliations/{id}", "/staff/payments/reconciliations/\(reconciliation)", as: &province)
            try await raw(&payment, .post, "/staff/payments/reconciliations", "/staff/payments/reconciliations?provider=nobody", [], "text/csv", as: province)
            try await raw(&payment, .post, "/callbacks/alipay", "/callbacks/alipay", Array("a=b".utf8), "application/x-www-form-urlencoded", as: Browser())
            try await raw(&payment, .post, "/callbacks/wechat", "/callbacks/wechat", Array("{}".utf8), "application/json", as: Browser())
            try await call(&review, .delete, "/staff/session", as: &operatorA)

            try Self.check(review, against: .review)
            try Self.check(confirmation, against: .confirmation)
            try Self.check(payment, against: .payment)
            let statuses = (confirmation + payment + review).map { "\($0.0) \($0.1) \($0.2.status.code)" }
            #expect(statuses.filter { $0.hasSuffix(" 200") || $0.hasSuffix(" 201") || $0.hasSuffix(" 202") }.count >= 20, "\(statuses)")
            #expect(!statuses.contains { $0.hasSuffix(" 500") }, "\(statuses)")
            _ = candidate
        }
    }
}

/// Enough of JSON Schema for this document: type (with null), enum, required, properties,
/// additionalProperties, items, maxItems, maxLength, minimum, maximum, oneOf, $ref.
struct SchemaCheck {
    let document: [String: Any]

    func problems(_ value: Any, _ schema: Any, at path: String) -> [String] {
        guard var schema = schema as? [String: Any] else { return [] }
        if let reference = schema["$ref"] as? String {
            let name = String(reference.split(separator: "/").last ?? "")
            schema = ((document["components"] as? [String: Any])?["schemas"] as? [String: Any])?[name] as? [String: Any] ?? [:]
        }
        if let options = schema["oneOf"] as? [Any] {
            return options.contains { problems(value, $0, at: path).isEmpty } ? [] : ["\(path): matches none of oneOf"]
        }
        var found: [String] = []
        let types = (schema["type"] as? [String]) ?? (schema["type"] as? String).map { [$0] } ?? []
        if !types.isEmpty && !types.contains(where: { Self.matches(value, $0) }) { return ["\(path): expected \(types), found \(value)"] }
        if let allowed = schema["enum"] as? [Any], !allowed.contains(where: { "\($0)" == "\(value)" }) { found.append("\(path): \(value) not in \(allowed)") }
        if let object = value as? [String: Any] {
            for key in schema["required"] as? [String] ?? [] where object[key] == nil { found.append("\(path).\(key): required") }
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for (key, member) in object {
                if let propertySchema = properties[key] {
                    found += problems(member, propertySchema, at: "\(path).\(key)")
                } else if let additional = schema["additionalProperties"] {
                    if let allowed = additional as? Bool, !allowed { found.append("\(path).\(key): not allowed") }
                    found += problems(member, additional, at: "\(path).\(key)")
                } else if !properties.isEmpty {
                    found.append("\(path).\(key): not in the schema")
                }
            }
        }
        if let array = value as? [Any] {
            if let maximum = schema["maxItems"] as? Int, array.count > maximum { found.append("\(path): more than \(maximum) items") }
            if let items = schema["items"] { for (index, item) in array.enumerated() { found += problems(item, items, at: "\(path)[\(index)]") } }
        }
        if let text = value as? String, let maximum = schema["maxLength"] as? Int, text.count > maximum { found.append("\(path): longer than \(maximum)") }
        return found
    }

    static func matches(_ value: Any, _ type: String) -> Bool {
        switch type {
        case "null": return value is NSNull
        case "string": return value is String
        // JSONSerialization gives NSNumbers; a boolean's objCType is "c".
        case "boolean": return (value as? NSNumber).map { String(cString: $0.objCType) == "c" } ?? false
        case "integer": return (value as? NSNumber).map { String(cString: $0.objCType) != "c" && $0.doubleValue == $0.doubleValue.rounded() } ?? false
        case "number": return value is NSNumber
        case "array": return value is [Any]
        case "object": return value is [String: Any]
        default: return false
        }
    }
}
