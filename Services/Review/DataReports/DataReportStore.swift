import Access
import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime

/// `data_report` and its snapshots (`data_report_candidate`): the blockers of a unit, the
/// snapshot taken with its report in one transaction, the decisions of the level above, and the difference
/// between two snapshots, computed in the database from the keyed field digests (nobody's data
/// is opened for it).
struct DataReportStore: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    struct Unit: Sendable {
        let id: String
        let path: String
        let kind: String
        let parentID: String?
    }

    func unit(_ id: String) async throws -> Unit? {
        try await postgres.query("SELECT id, path::text, kind, parent_id FROM organisation_node WHERE id = \(id)", logger: logger)
            .decode((String, String, String, String?).self).first { _ in true }
            .map { Unit(id: $0, path: $1, kind: $2, parentID: $3) }
    }

    /// The candidates a report covers: every paid or exempt candidate of the year `$2`
    /// registered in one of the counties `$1` (the unit's; named rather than joined through the
    /// tree, so that the planner knows how many candidates they hold). One digest per field of
    /// `ReportedFields.all`, in order: the form's basic fields as Registration digested them (keyed), the others hashed
    /// here by PostgreSQL's own hash functions (`hashtext`, `jsonb_hash`, `timestamp_hash`). They
    /// have been stable across major versions for years; should an upgrade change one, the first
    /// report after it would show that field changed for everyone.
    static let snapshotRows = """
        SELECT c.id AS candidate_id,
               ARRAY[hashtext(c.name), hashtext(encode(c.document_number_lookup, 'hex'))]
               || coalesce(r.basic_digests, array_fill(0, ARRAY[\(ReportedFields.basic.count)]))
               || ARRAY[jsonb_hash(r.choices), hashtext(coalesce(r.confirmation_point_id, '')), coalesce(timestamp_hash(p.captured_at::timestamp), 0),
                        hashtext(coalesce(b.policy_code || ':' || b.points, '')), hashtext(coalesce(e.status, '')), hashtext(c.status)] AS fields
        FROM candidate_account c
        JOIN registration r ON r.candidate_id = c.id AND r.year = $2
        LEFT JOIN candidate_photo p ON p.candidate_id = c.id
        LEFT JOIN exemption_application e ON e.candidate_id = c.id
        LEFT JOIN counted_bonus b ON b.candidate_id = c.id AND b.year = $2
        WHERE c.organisation_node_id = ANY($1::text[]) AND c.status IN ('paid', 'exempt')
        """

    /// The snapshot of the counties `$1` for the year `$2` saved as report `$3`'s candidates.
    static let saveSnapshot = "INSERT INTO data_report_candidate (report_id, candidate_id, fields) SELECT $3, candidate_id, fields FROM (\(snapshotRows)) s"

    /// A report's count and digest, from its saved snapshot in candidate order: SHA-256 over each
    /// candidate's id and a 64-bit hash of their field digests.
    static let sealSnapshot = """
        UPDATE data_report d SET candidates = s.candidates, digest = s.digest
        FROM (SELECT count(*)::int AS candidates,
                     encode(sha256(convert_to(coalesce(string_agg(candidate_id || ':' || hash_array_extended(fields, 0), ';' ORDER BY candidate_id), ''), 'UTF8')), 'hex') AS digest
              FROM data_report_candidate WHERE report_id = $1) s
        WHERE d.id = $1
        """

    /// What stops the unit at `path` from reporting, each kind with its count and up to 100 of
    /// the candidates (or, for a city, the counties) concerned.
    /// The counties of the unit at `path` (itself, for a county).
    func counties(under path: String) async throws -> [String] {
        var counties: [String] = []
        for try await county in try await postgres.query(
            "SELECT id FROM organisation_node WHERE path <@ \(path)::ltree AND kind = 'county' ORDER BY id", logger: logger
        ).decode(String.self) { counties.append(county) }
        return counties
    }

    func blockers(counties: [String], level: String, year: Int, on connection: PostgresConnection) async throws -> [ReportBlocker] {
        var found: [ReportBlocker] = []
        for try await (kind, count, ids, units) in try await connection.query(
            """
            WITH blocker AS (
                -- The unit's counties are named, not joined, so that each part is planned on the
                -- index of `candidate_account` it needs. The unsettled are few (a partial index).
                SELECT CASE c.status WHEN 'pending_city_review' THEN 'pending_city_review' ELSE 'unpaid_without_reason' END AS kind, c.id,
                       NULL::text AS unit
                FROM candidate_account c
                WHERE c.organisation_node_id = ANY(\(counties)) AND c.status IN ('pending_city_review', 'confirmed')
                  AND EXISTS (SELECT 1 FROM registration r WHERE r.candidate_id = c.id AND r.year = \(year))
                  AND (c.status = 'pending_city_review' OR NOT EXISTS (SELECT 1 FROM unpaid_follow_up f WHERE f.candidate_id = c.id))
                UNION ALL
                SELECT 'no_photo', c.id, NULL FROM candidate_account c
                WHERE c.organisation_node_id = ANY(\(counties)) AND c.status IN ('confirmed', 'paid', 'exempt')
                  AND NOT EXISTS (SELECT 1 FROM candidate_photo p WHERE p.candidate_id = c.id)
                  AND EXISTS (SELECT 1 FROM registration r WHERE r.candidate_id = c.id AND r.year = \(year))
                UNION ALL
                SELECT DISTINCT 'bonus_open', b.candidate_id, NULL FROM bonus_claim b JOIN candidate_account c ON c.id = b.candidate_id
                WHERE b.year = \(year) AND c.organisation_node_id = ANY(\(counties)) AND c.status IN ('confirmed', 'paid', 'exempt')
                  AND NOT EXISTS (SELECT 1 FROM bonus_award a WHERE (a.candidate_id, a.year, a.policy_code) = (b.candidate_id, b.year, b.policy_code))
                UNION ALL
                SELECT 'exemption_open', e.candidate_id, NULL FROM exemption_application e JOIN candidate_account c ON c.id = e.candidate_id
                WHERE e.year = \(year) AND c.organisation_node_id = ANY(\(counties)) AND c.status = 'paid' AND e.status IN ('applied', 'city_passed')
                UNION ALL
                SELECT 'county_not_accepted', NULL, county FROM unnest(\(counties)::text[]) county
                WHERE \(level) = 'city'
                  AND EXISTS (SELECT 1 FROM candidate_account c WHERE c.organisation_node_id = county AND c.status IN ('paid', 'exempt')
                                AND EXISTS (SELECT 1 FROM registration r WHERE r.candidate_id = c.id AND r.year = \(year)))
                  AND NOT EXISTS (SELECT 1 FROM data_report d WHERE d.unit_id = county AND d.year = \(year) AND d.status = 'accepted')
            )
            SELECT kind, count(*)::int, (array_agg(id ORDER BY id) FILTER (WHERE id IS NOT NULL))[1:100],
                   (array_agg(unit ORDER BY unit) FILTER (WHERE unit IS NOT NULL))[1:100]
            FROM blocker GROUP BY kind ORDER BY kind
            """, logger: logger
        ).decode((String, Int, [Int64]?, [String]?).self) {
            found.append(
                ReportBlocker(kind: kind, message: DataReportRules.blockerMessage(kind), count: count, candidateIDs: ids ?? [], unitIDs: units ?? []))
        }
        return found
    }

    func blockers(path: String, level: String, year: Int) async throws -> [ReportBlocker] {
        let counties = try await counties(under: path)
        return try await postgres.withConnection { try await blockers(counties: counties, level: level, year: year, on: $0) }
    }

    /// Reports the unit: refused while blocked, while its last report waits or stands accepted,
    /// or (for a county) while its city's report is with the province. The report row, its
    /// snapshot and the snapshot's count and digest are one transaction.
    func report(_ unit: Unit, level: String, year: Int, by member: StaffMember, clientAddress: String) async throws -> Int64 {
        let counties = try await counties(under: unit.path)
        return try await postgres.withTransaction(logger: logger) { connection in
            // One report of a unit at a time.
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext('data_report:' || \(unit.id)))", logger: logger)
            let last = try await connection.query(
                "SELECT id, status FROM data_report WHERE unit_id = \(unit.id) AND year = \(year) ORDER BY id DESC LIMIT 1", logger: logger
            ).decode((Int64, String).self).first { _ in true }
            if last?.1 == "reported" { throw DataReportRules.pending }
            if last?.1 == "accepted" { throw DataReportRules.accepted }
            if level == "county", let city = unit.parentID, try await liveReport(of: city, year: year, on: connection) {
                throw DataReportRules.cityReported
            }
            // The blockers are looked for on another connection while the snapshot is taken (two
            // cores, each half the time); a blocked report is then rolled back.
            async let blocking = postgres.withConnection { other in
                try await self.blockers(counties: counties, level: level, year: year, on: other)
            }
            // The snapshot's joins sort and hash a few hundred thousand rows.
            try await connection.query("SET LOCAL work_mem = '64MB'", logger: logger)
            let id = try await connection.query(
                """
                INSERT INTO data_report (year, unit_id, level, previous_id, field_names, candidates, digest, reported_by)
                VALUES (\(year), \(unit.id), \(level), \(last?.0), \(ReportedFields.all), 0, '', \(member.id)) RETURNING id
                """, logger: logger
            ).decode(Int64.self).first { _ in true }
            guard let id else { throw DataReportRules.none }
            var bindings = PostgresBindings(capacity: 3)
            bindings.append(counties)
            bindings.append(year)
            bindings.append(id)
            try await connection.query(PostgresQuery(unsafeSQL: Self.saveSnapshot, binds: bindings), logger: logger)
            var sealing = PostgresBindings(capacity: 1)
            sealing.append(id)
            try await connection.query(PostgresQuery(unsafeSQL: Self.sealSnapshot, binds: sealing), logger: logger)
            let found = try await blocking
            guard found.isEmpty else { throw DataReportRules.blocked(found) }
            try await AuditLog.record(
                .staff(member), action: "report.submit", target: .init(kind: "data_report", id: String(id)), clientAddress: clientAddress, on: connection,
                logger: logger)
            return id
        }
    }

    private func liveReport(of unitID: String, year: Int, on connection: PostgresConnection) async throws -> Bool {
        try await connection.query(
            "SELECT EXISTS (SELECT 1 FROM data_report WHERE unit_id = \(unitID) AND year = \(year) AND status IN ('reported', 'accepted'))", logger: logger
        ).decode(Bool.self).first { _ in true } ?? false
    }

    /// A report with its unit's path and city, for scope checks.
    func report(_ id: Int64) async throws -> (summary: DataReportSummary, unitPath: String, parentID: String?)? {
        try await reports(id: id, under: nil, unitID: nil, before: nil, limit: 1).first
    }

    /// Reports of units under `path` (of one unit, if given), newest first, before `before` (an id).
    func reports(under path: String, unitID: String?, before: Int64?, limit: Int) async throws -> [DataReportSummary] {
        try await reports(id: nil, under: path, unitID: unitID, before: before, limit: limit).map(\.summary)
    }

    private func reports(id: Int64?, under path: String?, unitID: String?, before: Int64?, limit: Int) async throws
        -> [(summary: DataReportSummary, unitPath: String, parentID: String?)]
    {
        var found: [(DataReportSummary, String, String?)] = []
        for try await row in try await postgres.query(
            """
            SELECT d.id, d.year, d.unit_id, n.name, d.level, d.status, d.previous_id, d.candidates, d.digest, d.reported_at, d.decided_at,
                   d.return_reason, d.return_items::text, d.reopened_at, d.reopen_reason, n.path::text, n.parent_id
            FROM data_report d JOIN organisation_node n ON n.id = d.unit_id
            WHERE (\(id)::bigint IS NULL OR d.id = \(id)) AND (\(path)::text IS NULL OR n.path <@ \(path)::ltree)
              AND (\(unitID)::text IS NULL OR d.unit_id = \(unitID)) AND d.id < \(before ?? Int64.max)
            ORDER BY d.id DESC LIMIT \(limit)
            """, logger: logger
        ).decode((Int64, Int, String, String, String, String, Int64?, Int, String, Date, Date?, String?, String, Date?, String?, String, String?).self) {
            let items = (try? JSONDecoder().decode([ReturnItem].self, from: Data(row.12.utf8))) ?? []
            found.append(
                (
                    DataReportSummary(
                        id: row.0, year: row.1, unitID: row.2, unitName: row.3, level: row.4, status: row.5, previousID: row.6, candidates: row.7,
                        digest: row.8, reportedAt: row.9, decidedAt: row.10, returnReason: row.11, returnItems: items, reopenedAt: row.13,
                        reopenReason: row.14), row.15, row.16
                ))
        }
        return found
    }

    /// The level above accepts a waiting report.
    func accept(_ id: Int64, by member: StaffMember, clientAddress: String) async throws {
        try await decide(id, from: "reported", refusal: DataReportRules.notPending, by: member, action: "report.accept", clientAddress: clientAddress) {
            connection in
            try await connection.query(
                "UPDATE data_report SET status = 'accepted', decided_by = \(member.id), decided_at = now() WHERE id = \(id)", logger: logger)
        }
    }

    /// The level above returns a waiting report with a reason and the items it names.
    func giveBack(_ id: Int64, reason: String, items: [ReturnItem], by member: StaffMember, clientAddress: String) async throws {
        let itemsJSON = String(decoding: try JSONEncoder().encode(items), as: UTF8.self)
        try await decide(id, from: "reported", refusal: DataReportRules.notPending, by: member, action: "report.return", clientAddress: clientAddress) {
            connection in
            try await connection.query(
                """
                UPDATE data_report SET status = 'returned', decided_by = \(member.id), decided_at = now(), return_reason = \(reason),
                       return_items = \(itemsJSON)::jsonb
                WHERE id = \(id)
                """, logger: logger)
        }
    }

    /// The level above reopens an accepted report (audited), so that its unit's data may change;
    /// the unit then reports again. A county's report is reopened only while its city's report is
    /// not with the province (the province reopens that first).
    func reopen(_ id: Int64, reason: String, by member: StaffMember, clientAddress: String) async throws {
        try await decide(id, from: "accepted", refusal: DataReportRules.notAccepted, by: member, action: "report.reopen", clientAddress: clientAddress) {
            connection in
            try await connection.query(
                """
                UPDATE data_report SET status = 'reopened', reopened_by = \(member.id), reopened_at = now(), reopen_reason = \(reason)
                WHERE id = \(id)
                """, logger: logger)
        }
    }

    /// A decision on report `id`, which must stand at `expected`, with its audit row.
    private func decide(
        _ id: Int64, from expected: String, refusal: Refusal, by member: StaffMember, action: String, clientAddress: String,
        update: (PostgresConnection) async throws -> Void
    ) async throws {
        try await postgres.withTransaction(logger: logger) { connection in
            guard let (current, level, year, cityID) = try await connection.query(
                """
                SELECT d.status, d.level, d.year, n.parent_id FROM data_report d JOIN organisation_node n ON n.id = d.unit_id
                WHERE d.id = \(id) FOR UPDATE OF d
                """, logger: logger
            ).decode((String, String, Int, String?).self).first(where: { _ in true }) else { throw DataReportRules.none }
            guard current == expected else { throw refusal }
            if expected == "accepted", level == "county", let cityID, try await liveReport(of: cityID, year: year, on: connection) {
                throw DataReportRules.cityReported
            }
            try await update(connection)
            try await AuditLog.record(
                .staff(member), action: action, target: .init(kind: "data_report", id: String(id)), clientAddress: clientAddress, on: connection, logger: logger)
        }
    }

    /// The difference between a report and `previous` (the unit's previous report): candidates
    /// added, removed, and for the others every field whose digest changed.
    func difference(_ id: Int64, from previous: Int64) async throws -> ReportDifference {
        var added: [Int64] = [], removed: [Int64] = []
        var changed: [ReportDifference.Changed] = []
        for try await (candidateID, kind, fields) in try await postgres.query(
            """
            WITH now AS (SELECT candidate_id, fields FROM data_report_candidate WHERE report_id = \(id)),
                 before AS (SELECT candidate_id, fields FROM data_report_candidate WHERE report_id = \(previous)),
                 names AS (SELECT (SELECT field_names FROM data_report WHERE id = \(id)) AS now, (SELECT field_names FROM data_report WHERE id = \(previous)) AS before)
            SELECT coalesce(a.candidate_id, b.candidate_id),
                   CASE WHEN b.candidate_id IS NULL THEN 'added' WHEN a.candidate_id IS NULL THEN 'removed' ELSE 'changed' END,
                   CASE WHEN a.candidate_id IS NOT NULL AND b.candidate_id IS NOT NULL THEN
                       ARRAY(SELECT names.now[i] FROM generate_subscripts(a.fields, 1) i
                             WHERE a.fields[i] IS DISTINCT FROM b.fields[array_position(names.before, names.now[i])] ORDER BY i)
                   END
            FROM now a FULL JOIN before b ON a.candidate_id = b.candidate_id, names
            WHERE a.fields IS DISTINCT FROM b.fields OR names.now IS DISTINCT FROM names.before
            ORDER BY 1
            """, logger: logger
        ).decode((Int64, String, [String]?).self) {
            switch kind {
            case "added": added.append(candidateID)
            case "removed": removed.append(candidateID)
            default:
                let fields = fields ?? []
                if !fields.isEmpty { changed.append(.init(candidateID: candidateID, fields: fields, fieldNames: fields.map(DataReportRules.label))) }
            }
        }
        return ReportDifference(reportID: id, previousID: previous, added: added, removed: removed, changed: changed)
    }

    /// The city reports of `year` the province has accepted and not reopened: its data set.
    func acceptedCityReports(year: Int) async throws -> [Int64] {
        var ids: [Int64] = []
        for try await id in try await postgres.query(
            "SELECT id FROM data_report WHERE year = \(year) AND level = 'city' AND status = 'accepted' ORDER BY id", logger: logger
        ).decode(Int64.self) { ids.append(id) }
        return ids
    }

    /// The candidates of a report's snapshot (for the return items' check).
    func covers(_ id: Int64, candidates: [Int64]) async throws -> Set<Int64> {
        var found = Set<Int64>()
        for try await candidate in try await postgres.query(
            "SELECT candidate_id FROM data_report_candidate WHERE report_id = \(id) AND candidate_id = ANY(\(candidates))", logger: logger
        ).decode(Int64.self) { found.insert(candidate) }
        return found
    }
}
