import Foundation
import Testing

/// compose/ cannot run here (no Docker engine), so these keep it in step with ops/ and the code:
/// the same services on the same ports, variables the services really read, and the gateway
/// configuration rendered from the one template.
@Suite struct ComposeConsistencyTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    private func text(_ path: String) throws -> String {
        try String(contentsOf: Self.root.appendingPathComponent(path), encoding: .utf8)
    }

    /// `SERVICES=(A B C)` in ops/lib/stack.sh.
    private func opsServices() throws -> [String] {
        let line = try #require(try text("ops/lib/stack.sh").split(separator: "\n").first { $0.hasPrefix("SERVICES=(") })
        return line.dropFirst("SERVICES=(".count).dropLast().split(separator: " ").map(String.init)
    }

    /// The environment names of the settings a service reads (`"postgres.port"` -> POSTGRES_PORT):
    /// every `reader.xxx("...")` in Shared/Settings and Services/.
    private func variablesServicesRead() throws -> Set<String> {
        let pattern = try Regex(#"reader\.[a-zA-Z]+\("([a-z0-9.]+)""#)
        var names = Set<String>()
        for folder in ["Shared/Settings", "Shared/Payments", "Services"] {
            let enumerator = FileManager.default.enumerator(at: Self.root.appendingPathComponent(folder), includingPropertiesForKeys: nil)
            while let file = enumerator?.nextObject() as? URL {
                guard file.pathExtension == "swift" else { continue }
                let source = try String(contentsOf: file, encoding: .utf8)
                names.formUnion(source.matches(of: pattern).map {
                    String(source[$0.range]).split(separator: "\"")[1].uppercased().replacingOccurrences(of: ".", with: "_")
                })
            }
        }
        return names
    }

    @Test func composeRunsEveryServiceOnTheSamePortAsOps() throws {
        let compose = try text("compose/docker-compose.yml")
        for (index, service) in try opsServices().enumerated() {
            #expect(compose.contains("\(service.lowercased()):\n    <<: *service\n    environment: { <<: *service-environment, SERVICE: \(service), HTTP_PORT: \"\(8101 + index)\" }"), "\(service)")
            #expect(compose.contains("\(service.lowercased())-worker:\n    <<: *service\n    environment: { <<: *service-environment, SERVICE: \(service), HTTP_PORT: \"\(8101 + index)\", ROLE: worker }"), "\(service) worker")
        }
        #expect(try opsServices().count == 6)
    }

    @Test func composeSetsOnlyVariablesTheServicesRead() throws {
        let compose = try text("compose/docker-compose.yml")
        let block = try #require(compose.components(separatedBy: "environment: &service-environment\n").last?.components(separatedBy: "  healthcheck:").first)
        let names = block.split(separator: "\n").compactMap { $0.split(separator: ":").first?.trimmingCharacters(in: .whitespaces) }
        let read = try variablesServicesRead()
        #expect(names.count >= 10)
        for name in names { #expect(read.contains(name), "compose sets \(name), which no service reads") }
        // And what ops/ hands the services is set in compose too.
        let exported = try text("ops/lib/stack.sh").split(separator: "\n").filter { $0.hasPrefix("export ") }
            .flatMap { $0.split(separator: " ").dropFirst().map(String.init) }
        #expect(exported.contains("POSTGRES_PORT"))
        #expect(read.contains("PERSONAL_DATA_KEYS") && read.contains("SMS_GATEWAY_URL"))
        for name in exported where read.contains(name) {
            #expect(names.contains(name), "ops sets \(name) but compose does not")
        }
    }

    @Test func composeGatewayIsRenderedFromTheTemplate() throws {
        let render = Process()
        render.executableURL = URL(fileURLWithPath: "/bin/bash")
        render.arguments = [Self.root.appendingPathComponent("ops/gateway/render").path]
        let output = Pipe()
        render.standardOutput = output
        try render.run()
        let rendered = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        render.waitUntilExit()
        #expect(render.terminationStatus == 0)
        #expect(rendered == (try text("compose/nginx.conf")), "run: ops/gateway/render > compose/nginx.conf")
        for path in ["/api/registration/", "/api/confirmation/", "/api/payment/", "/api/review/", "/api/arrangement/", "/api/documents/", "/callbacks/payment/"] {
            #expect(rendered.contains("location \(path) {"))
        }
    }
}
