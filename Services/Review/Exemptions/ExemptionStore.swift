import Foundation
import Logging
import PostgresNIO

/// `exemption_application`, and what applying needs to know: the candidate's status and the
/// year's categories (the exam-year document, Registration's, read here).
struct ExemptionStore: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    /// The current year and its exemption categories by code (name, evidence).
    func categories() async throws -> (year: Int, byCode: [String: String])? {
        var year: Int?
        var byCode: [String: String] = [:]
        for try await (rowYear, code, name) in try await postgres.query(
            """
            SELECT y.year, c->>'code', c->>'name'
            FROM exam_year y LEFT JOIN LATERAL jsonb_array_elements(coalesce(y.document->'codeLists'->'exemptionCategories', '[]')) c ON true
            WHERE y.current
            """, logger: logger
        ).decode((Int, String?, String?).self) {
            year = rowYear
            if let code, let name { byCode[code] = name }
        }
        return year.map { ($0, byCode) }
    }

    /// What applying came to.
    enum Outcome: Sendable, Equatable {
        case saved
        /// The candidate's status does not allow it (the status is given).
        case status(String)
        /// The city has looked at it already.
        case underReview
    }

    /// Makes or changes the application, with the candidate's row locked so that a status move
    /// in between is seen; a reviewed application is left as it is.
    func apply(_ candidateID: Int64, year: Int, category: String, reason: String) async throws -> Outcome {
        try await postgres.withTransaction(logger: logger) { connection in
            let status = try await connection.query("SELECT status FROM candidate_account WHERE id = \(candidateID) FOR SHARE", logger: logger)
                .decode(String.self).first { _ in true } ?? "unknown"
            if ExemptionRules.refusal(toApplyIn: status) != nil { return .status(status) }
            let saved = try await connection.query(
                """
                INSERT INTO exemption_application AS a (candidate_id, year, category_code, reason) VALUES (\(candidateID), \(year), \(category), \(reason))
                ON CONFLICT (candidate_id) DO UPDATE SET category_code = excluded.category_code, reason = excluded.reason, applied_at = now()
                    WHERE a.status = 'applied'
                RETURNING true
                """, logger: logger
            ).decode(Bool.self).first { _ in true }
            return saved == true ? .saved : .underReview
        }
    }

    func application(of candidateID: Int64, categories: [String: String]) async throws -> ExemptionApplication? {
        try await postgres.query(
            """
            SELECT category_code, reason, status, applied_at, coalesce(province_reason, city_reason)
            FROM exemption_application WHERE candidate_id = \(candidateID)
            """, logger: logger
        ).decode((String, String, String, Date, String?).self).first { _ in true }.map { code, reason, status, appliedAt, refusal in
            ExemptionApplication(
                categoryCode: code, categoryName: categories[code] ?? code, reason: reason, status: status, appliedAt: appliedAt,
                refusalReason: refusal)
        }
    }
}
