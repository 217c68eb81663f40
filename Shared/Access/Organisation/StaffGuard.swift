import Foundation
import Hummingbird
import Logging
import PostgresNIO
import ServiceRuntime

/// Staff sessions, the staff member a session belongs to (loaded by `ServiceRoutes.staff` for
/// every staff route), and the audit trail of what the member then does.
public struct StaffGuard: Sendable {
    public let sessions: SessionManager
    public let directory: StaffDirectory
    public let audit: AuditLog

    public init(sessions: SessionManager, directory: StaffDirectory, audit: AuditLog) {
        self.sessions = sessions
        self.directory = directory
        self.audit = audit
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

    /// Refuses (403, audited as denied) unless the member is the province's administrator.
    public func requireProvince(_ member: StaffMember, action: String, target: AuditTarget, request: Request) async throws {
        guard member.isProvinceAdministrator else {
            try await audit.record(.staff(member), action: action, target: target, outcome: .denied, request: request)
            throw APIError.forbidden
        }
    }
}
