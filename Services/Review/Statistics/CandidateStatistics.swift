import Contracts
import Foundation
import Logging
import Messaging
import PostgresNIO
import ServiceLifecycle

/// The counts staff read (by node, status, level and subject category), kept from the candidate
/// events by the Review worker. An event only says that something changed for a candidate: it
/// marks the candidate (`statistics_mark`), and `CandidateStatisticsFolder` reads the marked
/// candidates again from the tables that own the data (`statistics_source`) and replaces their
/// old contribution. Events may come twice or out of order; the counts come out the same.
struct CandidateStatisticsRecorder: MessageHandler {
    let consumerName = "review.candidate-statistics"

    func handle(_ message: IncomingMessage, in transaction: PostgresConnection, logger: Logger) async throws {
        try await handle([message], in: transaction, logger: logger)
    }

    /// A batch's marks in one statement.
    func handle(_ messages: [IncomingMessage], in transaction: PostgresConnection, logger: Logger) async throws {
        var ids: [Int64] = []
        for message in messages {
            guard let candidateID = try Self.candidateID(of: message) else {
                logger.warning("candidate statistics: an event of another type", metadata: ["type": "\(message.type ?? "-")"])
                continue
            }
            ids.append(candidateID)
        }
        guard !ids.isEmpty else { return }
        try await StatisticsMarks.mark(ids, on: transaction, logger: logger)
    }

    static func candidateID(of message: IncomingMessage) throws -> Int64? {
        switch message.type {
        case CandidateSubmitted.eventType: try Envelope<CandidateSubmitted>.decode(message.body).event.candidateID
        case CandidateConfirmed.eventType: try Envelope<CandidateConfirmed>.decode(message.body).event.candidateID
        case PaymentCompleted.eventType: try Envelope<PaymentCompleted>.decode(message.body).event.candidateID
        case CandidateInvalidated.eventType: try Envelope<CandidateInvalidated>.decode(message.body).event.candidateID
        case CandidateMoved.eventType: try Envelope<CandidateMoved>.decode(message.body).event.candidateID
        default: nil
        }
    }
}

/// Folds marked candidates into the counts: one worker at a time (an advisory lock), up to 5,000
/// marks per statement, so that the province's and cities' count rows, which every
/// candidate touches, have a single writer. Straight on while a set was full, otherwise every
/// half second.
struct CandidateStatisticsFolder: Service {
    let postgres: PostgresClient
    let logger: Logger
    var interval: Duration = .milliseconds(500)

    func run() async throws {
        await PeriodicWork.run(every: interval, logger: logger, failure: "candidate statistics not folded") {
            try await CandidateStatistics.fold(postgres: postgres, logger: logger) == CandidateStatistics.foldLimit
        }
    }
}

public enum CandidateStatistics {
    static let foldLimit = 5_000
    /// Next to the outbox relay's locks (a different number).
    static let foldLock: Int64 = 2019_0800_00

    /// Folds up to `foldLimit` marks; how many (0 when another worker holds the fold).
    @discardableResult
    static func fold(postgres: PostgresClient, logger: Logger) async throws -> Int {
        try await postgres.withTransaction(logger: logger) { connection in
            let mine = try await connection.query("SELECT pg_try_advisory_xact_lock(\(Self.foldLock))", logger: logger)
                .decode(Bool.self).first { _ in true } ?? false
            guard mine else { return 0 }
            return try await connection.query(
                """
                WITH taken AS (
                    SELECT id, candidate_id FROM statistics_mark ORDER BY id LIMIT \(Self.foldLimit)
                ), batch AS (
                    SELECT DISTINCT candidate_id FROM taken
                ), old AS (
                    SELECT s.* FROM statistics_candidate s JOIN batch USING (candidate_id)
                ), new AS (
                    SELECT s.* FROM statistics_source s JOIN batch USING (candidate_id)
                ), saved AS (
                    INSERT INTO statistics_candidate (candidate_id, year, status, county_id, point_id, level, subject_category, exemption, bonus)
                    SELECT candidate_id, year, status, county_id, point_id, level, subject_category, exemption, bonus FROM new
                    ON CONFLICT (candidate_id) DO UPDATE
                       SET year = excluded.year, status = excluded.status, county_id = excluded.county_id, point_id = excluded.point_id,
                           level = excluded.level, subject_category = excluded.subject_category,
                           exemption = excluded.exemption, bonus = excluded.bonus
                ), gone AS (
                    DELETE FROM statistics_candidate s USING old o
                    WHERE s.candidate_id = o.candidate_id AND o.candidate_id NOT IN (SELECT candidate_id FROM new)
                ), changes AS (
                    -- Summed by county and point first: the nodes are looked up once per group,
                    -- not once per candidate (the tree lookup was most of a fold's time).
                    SELECT year, county_id, point_id, status, level, subject_category, exemption, bonus, sum(delta) AS delta FROM (
                        SELECT year, county_id, point_id, status, level, subject_category, exemption, bonus, -1 AS delta FROM old
                        UNION ALL
                        SELECT year, county_id, point_id, status, level, subject_category, exemption, bonus, 1 FROM new
                    ) c
                    GROUP BY year, county_id, point_id, status, level, subject_category, exemption, bonus HAVING sum(delta) <> 0
                ), net AS (
                    SELECT c.year, node, c.status, c.level, c.subject_category, c.exemption, c.bonus, sum(c.delta)::int AS delta
                    FROM changes c, statistics_nodes(c.county_id, c.point_id) node
                    GROUP BY c.year, node, c.status, c.level, c.subject_category, c.exemption, c.bonus HAVING sum(c.delta) <> 0
                ), decreased AS (
                    -- Apart from the increases: the count's CHECK judges an insert's proposed row,
                    -- before ON CONFLICT turns it into an update.
                    UPDATE statistics_count c SET candidates = c.candidates + n.delta FROM net n
                    WHERE n.delta < 0 AND (c.year, c.node_id, c.status, c.level, c.subject_category, c.exemption, c.bonus)
                        = (n.year, n.node, n.status, n.level, n.subject_category, n.exemption, n.bonus)
                ), increased AS (
                    INSERT INTO statistics_count (year, node_id, status, level, subject_category, exemption, bonus, candidates)
                    SELECT year, node, status, level, subject_category, exemption, bonus, delta FROM net WHERE delta > 0
                    ON CONFLICT (year, node_id, status, level, subject_category, exemption, bonus)
                    DO UPDATE SET candidates = statistics_count.candidates + excluded.candidates
                ), cleared AS (
                    -- Only the marks read: one committed since is folded next time.
                    DELETE FROM statistics_mark m USING taken t WHERE m.id = t.id
                )
                SELECT count(*)::int FROM taken
                """, logger: logger
            ).decode(Int.self).first { _ in true } ?? 0
        }
    }

    /// One bucket whose count differs from what the tables say.
    public struct Difference: Sendable, Equatable {
        public let year: Int
        public let node: String
        public let status: String
        public let level: String
        public let subjectCategory: String
        public let exemption: String
        public let bonus: String
        public let counted: Int
        public let actual: Int
    }

    /// Where the counts differ from what the tables say; with `rebuild`, the counts and the
    /// per-candidate rows are then replaced by what the tables say (`examctl recount`), in one
    /// transaction that holds the consumers off.
    /// `nodes`: only these nodes' counts are compared (all when nil); a rebuild is always whole.
    public static func differences(rebuild: Bool, nodes: [String]? = nil, on connection: PostgresConnection, logger: Logger) async throws -> [Difference] {
        if rebuild {
            // The fold waits; marks made meanwhile are folded afterwards, against the rebuilt rows.
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.foldLock))", logger: logger)
            try await connection.query("LOCK TABLE statistics_candidate, statistics_count IN EXCLUSIVE MODE", logger: logger)
        }
        var found: [Difference] = []
        for try await (year, node, status, level, category, exemption, bonus, counted, actual) in try await connection.query(
            """
            WITH actual AS (
                SELECT s.year, node, s.status, s.level, s.subject_category, s.exemption, s.bonus, count(*)::int AS candidates
                FROM statistics_source s, statistics_nodes(s.county_id, s.point_id) node
                GROUP BY 1, 2, 3, 4, 5, 6, 7
            )
            SELECT coalesce(a.year, c.year), coalesce(a.node, c.node_id), coalesce(a.status, c.status), coalesce(a.level, c.level),
                   coalesce(a.subject_category, c.subject_category), coalesce(a.exemption, c.exemption), coalesce(a.bonus, c.bonus),
                   coalesce(c.candidates, 0), coalesce(a.candidates, 0)
            FROM actual a FULL JOIN statistics_count c
              ON (c.year, c.node_id, c.status, c.level, c.subject_category, c.exemption, c.bonus)
               = (a.year, a.node, a.status, a.level, a.subject_category, a.exemption, a.bonus)
            WHERE coalesce(c.candidates, 0) <> coalesce(a.candidates, 0)
              AND (\(nodes == nil) OR coalesce(a.node, c.node_id) = ANY(\(nodes ?? [])))
            ORDER BY 1, 2, 3, 4, 5, 6, 7
            """, logger: logger
        ).decode((Int, String, String, String, String, String, String, Int, Int).self) {
            found.append(
                Difference(
                    year: year, node: node, status: status, level: level, subjectCategory: category, exemption: exemption, bonus: bonus, counted: counted,
                    actual: actual))
        }
        if rebuild {
            try await connection.query("DELETE FROM statistics_count", logger: logger)
            try await connection.query("DELETE FROM statistics_candidate", logger: logger)
            try await connection.query(
                """
                INSERT INTO statistics_candidate (candidate_id, year, status, county_id, point_id, level, subject_category, exemption, bonus)
                SELECT candidate_id, year, status, county_id, point_id, level, subject_category, exemption, bonus FROM statistics_source
                """, logger: logger)
            try await connection.query(
                """
                INSERT INTO statistics_count (year, node_id, status, level, subject_category, exemption, bonus, candidates)
                SELECT s.year, node, s.status, s.level, s.subject_category, s.exemption, s.bonus, count(*)::int
                FROM statistics_candidate s, statistics_nodes(s.county_id, s.point_id) node
                GROUP BY 1, 2, 3, 4, 5, 6, 7
                """, logger: logger)
        }
        return found
    }
}
