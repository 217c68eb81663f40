import Foundation
import Testing

/// Each table has one owning service that writes it (the README's ownership table); the others
/// read it or send a message. This reads that table and every service's SQL, and lists each
/// write to a table another service owns.
@Suite struct TableOwnershipTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Service name -> the tables the README gives it; "every" -> the tables every service
    /// writes its own rows of (the outbox, processed messages, the audit trail).
    static func owners() throws -> [String: Set<String>] {
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        var owners: [String: Set<String>] = [:]
        for line in readme.split(separator: "\n") {
            guard let match = line.firstMatch(of: /^\| (Registration|Confirmation|PaymentCallback|Review|Arrangement|DocumentGeneration|every service, through `Shared\/`) \| (.*) \|$/)
            else { continue }
            owners[match.1.hasPrefix("every") ? "every" : String(match.1)] = Set(match.2.matches(of: /`([a-z_]+)`/).map { String($0.1) })
        }
        return owners
    }

    /// "Service: table (file)" for every INSERT, UPDATE or DELETE in a service's code of a table it does not own.
    static func foreignWrites(_ owners: [String: Set<String>]) throws -> [String] {
        var found: [String] = []
        let everyService = owners["every"] ?? []
        for (service, tables) in owners where service != "every" {
            let folder = root.appendingPathComponent("Services/\(service)")
            let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)
            while let url = enumerator?.nextObject() as? URL {
                guard url.pathExtension == "swift" else { continue }
                let text = try String(contentsOf: url, encoding: .utf8)
                for write in text.matches(of: /(?i)\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+([a-z_]+)\b/) {
                    let table = String(write.1).lowercased()
                    // Words that follow UPDATE in locking clauses (FOR UPDATE SKIP LOCKED, FOR UPDATE OF c).
                    guard !tables.contains(table), !everyService.contains(table), !["skip", "nowait", "set", "of"].contains(table) else { continue }
                    found.append("\(service): \(table) (\(url.lastPathComponent))")
                }
            }
        }
        return found.sorted()
    }

    @Test func everyServiceWritesOnlyItsOwnTables() throws {
        let owners = try Self.owners()
        #expect(
            Set(owners.keys) == ["Registration", "Confirmation", "PaymentCallback", "Review", "Arrangement", "DocumentGeneration", "every"],
            "the README's ownership table")
        let claimed = owners.values.flatMap { $0 }
        let twice = Dictionary(grouping: claimed, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
        #expect(twice.isEmpty, "tables with two owners: \(twice)")
        let foreign = try Self.foreignWrites(owners)
        #expect(foreign.isEmpty, "\(foreign)")
    }
}
