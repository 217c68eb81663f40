import Access
import CandidateLifecycle
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime

/// The staff's side of `exemption_application`: the city's first review and list, the
/// province's decision (an approval moves the candidate `paid -> exempt` through the lifecycle).
/// Every decision is audited, refused while the candidate's reported data is locked, and marks
/// the candidate for the statistics.
struct ExemptionReviewStore: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    /// Applications of candidates registered under `path`, after `after` (candidate ids ascending).
    func cases(under path: String, status: String?, after: Int64, limit: Int, categories: [String: String]) async throws -> [ExemptionCase] {
        var found: [ExemptionCase] = []
        for try await (id, name, masked, county, candidateStatus, code, reason, status, cityReason, provinceReason) in try await postgres.query(
            """
            SELECT c.id, c.name, c.document_number_masked, c.organisation_node_id, c.status, e.category_code, e.reason, e.status, e.city_reason, e.province_reason
            FROM exemption_application e JOIN candidate_account c ON c.id = e.candidate_id JOIN organisation_node n ON n.id = c.organisation_node_id
            WHERE n.path <@ \(path)::ltree AND e.candidate_id > \(after) AND (\(status ?? "") = '' OR e.status = \(status ?? ""))
            ORDER BY e.candidate_id LIMIT \(limit)
            """, logger: logger
        ).decode((Int64, String, String, String, String, String, String, String, String?, String?).self) {
            found.append(
                ExemptionCase(
                    candidateID: id, name: name, documentNumberMasked: masked, countyID: county, candidateStatus: candidateStatus, categoryCode: code,
                    categoryName: categories[code] ?? code, reason: reason, status: status, cityReason: cityReason, provinceReason: provinceReason))
        }
        return found
    }

    /// The application's status and whether the candidate's city has submitted its list, with
    /// the candidate's and the application's rows locked.
    private func locked(_ candidateID: Int64, on connection: PostgresConnection) async throws -> (candidate: ReviewedCandidate, status: String, year: Int, city: String, listSubmitted: Bool) {
        guard let candidate = try await ReviewedCandidate.find(candidateID, lock: true, on: connection, logger: logger) else { throw ExemptionRules.none }
        guard let (status, year, city, submitted) = try await connection.query(
            """
            SELECT e.status, e.year, n.parent_id, EXISTS (SELECT 1 FROM exemption_city_list l WHERE l.city_id = n.parent_id AND l.year = e.year)
            FROM exemption_application e JOIN candidate_account c ON c.id = e.candidate_id JOIN organisation_node n ON n.id = c.organisation_node_id
            WHERE e.candidate_id = \(candidateID) FOR UPDATE OF e
            """, logger: logger
        ).decode((String, Int, String, Bool).self).first(where: { _ in true }) else { throw ExemptionRules.none }
        return (candidate, status, year, city, submitted)
    }

    /// The city's first review: passed, or refused with `reason`.
    func cityReview(_ candidateID: Int64, pass: Bool, reason: String?, by member: StaffMember, clientAddress: String) async throws {
        try await postgres.withTransaction(logger: logger) { connection in
            let found = try await locked(candidateID, on: connection)
            if let refusal = ExemptionRules.refusal(cityReviewOf: found.status, candidateStatus: found.candidate.status, listSubmitted: found.listSubmitted) {
                throw refusal
            }
            try await ReportedDataLock.check(candidateID, on: connection, logger: logger)
            let status = pass ? "city_passed" : "city_refused"
            try await connection.query(
                """
                UPDATE exemption_application SET status = \(status), city_reason = \(pass ? nil : reason), city_by = \(member.id), city_at = now()
                WHERE candidate_id = \(candidateID)
                """, logger: logger)
            try await AuditLog.record(
                .staff(member), action: pass ? "exemption.city_pass" : "exemption.city_refuse", target: .candidate(candidateID), clientAddress: clientAddress,
                on: connection, logger: logger)
            try await StatisticsMarks.mark([candidateID], on: connection, logger: logger)
        }
    }

    /// The city's list goes to the province once every application of its paid candidates has
    /// had its first review; submitting again changes nothing.
    func submitList(city: String, year: Int, by member: StaffMember, clientAddress: String) async throws {
        try await postgres.withTransaction(logger: logger) { connection in
            let open = try await connection.query(
                """
                SELECT count(*)::int FROM exemption_application e JOIN candidate_account c ON c.id = e.candidate_id
                JOIN organisation_node n ON n.id = c.organisation_node_id
                WHERE n.parent_id = \(city) AND e.year = \(year) AND e.status = 'applied' AND c.status = 'paid'
                """, logger: logger
            ).decode(Int.self).first { _ in true } ?? 0
            guard open == 0 else { throw ExemptionRules.openApplications(open) }
            try await connection.query(
                "INSERT INTO exemption_city_list (city_id, year, submitted_by) VALUES (\(city), \(year), \(member.id)) ON CONFLICT DO NOTHING",
                logger: logger)
            try await AuditLog.record(
                .staff(member), action: "exemption.list_submit", target: .init(kind: "organisation_node", id: city), clientAddress: clientAddress,
                on: connection, logger: logger)
        }
    }

    /// Whether the city has submitted its list for `year`.
    func listSubmitted(city: String, year: Int) async throws -> Date? {
        try await postgres.query("SELECT submitted_at FROM exemption_city_list WHERE city_id = \(city) AND year = \(year)", logger: logger)
            .decode(Date.self).first { _ in true }
    }

    /// The province's decision on what a city passed: approved (the candidate becomes `exempt`,
    /// left out of the numbering), or refused with `reason` (the candidate stays `paid`).
    func provinceDecision(_ candidateID: Int64, approve: Bool, reason: String?, by member: StaffMember, clientAddress: String) async throws {
        try await postgres.withTransaction(logger: logger) { connection in
            let found = try await locked(candidateID, on: connection)
            if let refusal = ExemptionRules.refusal(provinceDecisionOn: found.status, listSubmitted: found.listSubmitted) { throw refusal }
            try await ReportedDataLock.check(candidateID, on: connection, logger: logger)
            if approve && found.candidate.status != "paid" { throw ExemptionRules.notPaid }
            try await connection.query(
                """
                UPDATE exemption_application SET status = \(approve ? "approved" : "refused"), province_reason = \(approve ? nil : reason),
                       province_by = \(member.id), province_at = now()
                WHERE candidate_id = \(candidateID)
                """, logger: logger)
            if approve {
                // The move writes the transition, the audit row and the event.
                try await CandidateLifecycle.apply(
                    [try CandidateMove(candidateID, from: .paid, to: .exempt, by: .staff(member, action: "exemption.approve", clientAddress: clientAddress))],
                    on: connection, logger: logger)
            } else {
                try await AuditLog.record(
                    .staff(member), action: "exemption.refuse", target: .candidate(candidateID), clientAddress: clientAddress, on: connection, logger: logger)
            }
            try await StatisticsMarks.mark([candidateID], on: connection, logger: logger)
        }
    }
}
