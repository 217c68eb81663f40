import Foundation
import Hummingbird
import Logging
import PostgresNIO
import ServiceRuntime

/// What every staff route starts with: the session (401 without one, 503 if the session store is
/// down), the staff member it belongs to, and the audit trail of what the member then does.
public struct StaffGuard: Sendable {
    public let sessions: SessionManager
    public let directory: StaffDirectory
    public let audit: AuditLog

    public init(sessions: SessionManager, directory: StaffDirectory, audit: AuditLog) {
        self.sessions = sessions
        self.directory = directory
        self.audit = audit
    }

    public func member(_ request: Request) async throws -> StaffMember {
        let session = try await sessions.require(request)
        guard let member = try await directory.member(id: session.accountID) else { throw APIError.unauthenticated }
        return member
    }

    /// Refuses (403, audited as denied) unless `targetPath` lies in the member's subtree.
    public func requireScope(
        _ member: StaffMember, covers targetPath: String?, action: String, target: AuditTarget, request: Request
    ) async throws {
        guard let targetPath, member.covers(path: targetPath) else {
            try await audit.record(.staff(member), action: action, target: target, outcome: .denied, request: request)
            throw APIError.forbidden
        }
    }
}
