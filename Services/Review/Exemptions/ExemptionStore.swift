import Foundation
import Logging
import PostgresNIO
import Storage

/// `exemption_application`, and what applying needs to know: the candidate's status and the
/// year's categories (the exam-year document, Registration's, read here).
struct ExemptionStore: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    /// The current year and its exemption categories' names by code.
    func categories() async throws -> (year: Int, byCode: [String: String])? {
        try await CurrentExamYear.codeList("exemptionCategories", postgres: postgres, logger: logger).map { year, codes in
            (year, Dictionary(codes.map { ($0.code, $0.name) }, uniquingKeysWith: { first, _ in first }))
        }
    }

    /// Makes or changes the application, with the candidate's row locked so that a status move
    /// in between is seen; refused when the status does not allow it or the city has looked at it.
    func apply(_ candidateID: Int64, year: Int, category: String, reason: String) async throws {
        try await postgres.withTransaction(logger: logger) { connection in
            let status = try await connection.query("SELECT status FROM candidate_account WHERE id = \(candidateID) FOR SHARE", logger: logger)
                .decode(String.self).first { _ in true } ?? "unknown"
            if let refusal = ExemptionRules.refusal(toApplyIn: status) { throw refusal }
            let saved = try await connection.query(
                """
                INSERT INTO exemption_application AS a (candidate_id, year, category_code, reason) VALUES (\(candidateID), \(year), \(category), \(reason))
                ON CONFLICT (candidate_id) DO UPDATE SET category_code = excluded.category_code, reason = excluded.reason, applied_at = now()
                    WHERE a.status = 'applied'
                RETURNING true
                """, logger: logger
            ).decode(Bool.self).first { _ in true }
            guard saved == true else { throw ExemptionRules.underReview }
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
                categoryCode: code, categoryName: categories[code] ?? code, reason: reason, status: status,
                statusName: ExemptionRules.statusName(status), appliedAt: appliedAt,
                refusalReason: refusal)
        }
    }
}
