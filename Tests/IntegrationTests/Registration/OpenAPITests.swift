import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Services/Registration/openapi.json is the registration API's contract: every route the
/// service adds is in it and nothing else, and real answers conform to it.
@Suite struct OpenAPITests {
    static var document: [String: Any] {
        let url = TestStack.repository.appendingPathComponent("Services/Registration/openapi.json")
        let data = (try? Data(contentsOf: url)) ?? Data()
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }

    static var paths: [String: [String: Any]] { document["paths"] as? [String: [String: Any]] ?? [:] }

    @Test func theDocumentListsExactlyTheServicesRoutes() throws {
        #expect((Self.document["openapi"] as? String)?.hasPrefix("3.") == true)
        var documented = Set<String>()
        for (path, operations) in Self.paths {
            for method in operations.keys { documented.insert("\(method.uppercased()) \(path)") }
        }
        let served = Set(try AccessFixture.registrationRoutes()).union(["GET /health", "GET /health/live", "GET /metrics"])
        #expect(documented.subtracting(served).isEmpty, "documented, not served: \(documented.subtracting(served).sorted())")
        #expect(served.subtracting(documented).isEmpty, "served, not documented: \(served.subtracting(documented).sorted())")
    }

    @Test func everyReferenceResolves() throws {
        let text = String(decoding: try JSONSerialization.data(withJSONObject: Self.document), as: UTF8.self)
        let schemas = (Self.document["components"] as? [String: Any])?["schemas"] as? [String: Any] ?? [:]
        for match in text.matches(of: /#\\\/components\\\/schemas\\\/([A-Za-z]+)/) {
            #expect(schemas[String(match.output.1)] != nil, "\(match.output.1)")
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
            try await call(.post, "/me/phone", nil, ["currentPassword": candidate.password, "phone": "13600001111"])
            try await call(.get, "/staff/candidates/{id}", "/staff/candidates/1")
            try await call(.delete, "/session")

            for (method, template, response) in recorded {
                let operation = try #require(Self.paths[template]?[method] as? [String: Any], "\(method) \(template) is not documented")
                let responses = operation["responses"] as? [String: Any] ?? [:]
                let code = String(response.status.code)
                let documented = (responses[code] ?? responses["\(code.prefix(1))XX"]) as? [String: Any]
                #expect(documented != nil, "\(method) \(template) answered \(code), which is not documented")
                guard let schema = ((documented?["content"] as? [String: Any])?["application/json"] as? [String: Any])?["schema"] else {
                    continue
                }
                let value = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView), options: [.fragmentsAllowed])
                let problems = SchemaCheck(document: Self.document).problems(value, schema, at: "\(method) \(template) \(code)")
                #expect(problems.isEmpty, "\(problems)")
            }
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
