import Foundation
import Testing

/// The candidate's status changes in one place: `Shared/CandidateLifecycle`. No other code writes
/// it (the database refuses an illegal move too: CandidateStatusMoveTests).
@Suite struct CandidateLifecycleTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every `UPDATE candidate_account ... SET ... status =` in the services' and shared code, by file.
    static func statusWrites() throws -> [String] {
        var found: [String] = []
        for folder in ["Services", "Shared"] {
            let enumerator = FileManager.default.enumerator(at: root.appendingPathComponent(folder), includingPropertiesForKeys: nil)
            while let url = enumerator?.nextObject() as? URL {
                guard url.pathExtension == "swift" else { continue }
                let text = try String(contentsOf: url, encoding: .utf8)
                // Up to the statement's end or the next statement keyword: SET ... status = within one UPDATE.
                let writes = text.matches(of: /(?is)UPDATE\s+candidate_account\b[^;"]*?\bSET\b[^;"]*?\bstatus\s*=/)
                if !writes.isEmpty { found.append(url.path.replacingOccurrences(of: root.path + "/", with: "")) }
            }
        }
        return found.sorted()
    }

    @Test func onlyTheLifecycleWritesACandidatesStatus() throws {
        #expect(try Self.statusWrites() == ["Shared/CandidateLifecycle/CandidateLifecycle.swift"])
    }
}
