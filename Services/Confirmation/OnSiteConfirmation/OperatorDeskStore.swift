import Access
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime

/// What the operator desk reads: a point's hours and whether its county opened it today, and a
/// candidate as the desk sees them.
struct OperatorDeskStore: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    /// An approved point's hours (nil when not approved) and whether the county opened it on `day`.
    func point(_ pointID: String, on day: String) async throws -> (hours: [[String]], openedToday: Bool)? {
        let row = try await postgres.query(
            """
            SELECT p.hours::text, EXISTS (SELECT 1 FROM point_hours_override o WHERE o.point_id = p.node_id AND o.day = \(day)::date)
            FROM confirmation_point p WHERE p.node_id = \(pointID) AND p.status = 'approved'
            """, logger: logger
        ).decode((String, Bool).self).first { _ in true }
        guard let (hoursJSON, opened) = row else { return nil }
        let hours = (try? JSONDecoder().decode([[String]].self, from: Data(hoursJSON.utf8))) ?? PointHours.standard
        return (hours, opened)
    }

    /// The candidate's status, document type and chosen point; nil for no such candidate.
    func candidate(_ id: Int64) async throws -> (candidate: OperatorDesk.Candidate, pointID: String?)? {
        let row = try await postgres.query(
            """
            SELECT c.status, c.document_type, r.confirmation_point_id
            FROM candidate_account c LEFT JOIN registration r ON r.candidate_id = c.id
            WHERE c.id = \(id)
            """, logger: logger
        ).decode((String, String, String?).self).first { _ in true }
        guard let (status, type, pointID) = row else { return nil }
        return (OperatorDesk.Candidate(id: id, status: status, documentType: IdentityDocumentType(rawValue: type) ?? .residentID), pointID)
    }
}
