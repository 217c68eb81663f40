import Logging
import PostgresNIO
import Storage

/// Reads the statistics read model (`statistics_count`, kept by the Review worker) and what a
/// request names: the node, the current year.
struct StatisticsStore: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    /// One row of counts at a node.
    struct Count: Codable, Sendable, Equatable {
        let status: String
        let level: String
        let subjectCategory: String
        /// The exemption application's stage ('' for none).
        let exemption: String
        /// The counted bonus points ('' for none).
        let bonus: String
        let candidates: Int
    }

    /// The node's name and ltree path.
    func node(_ id: String) async throws -> (name: String, path: String)? {
        try await postgres.query("SELECT name, path::text FROM organisation_node WHERE id = \(id)", logger: logger)
            .decode((String, String).self).first { _ in true }.map { (name: $0, path: $1) }
    }

    func currentYear() async throws -> Int? {
        try await CurrentExamYear.year(postgres: postgres, logger: logger)
    }

    func counts(at nodeID: String, year: Int) async throws -> [Count] {
        var counts: [Count] = []
        for try await (status, level, category, exemption, bonus, candidates) in try await postgres.query(
            """
            SELECT status, level, subject_category, exemption, bonus, candidates FROM statistics_count
            WHERE year = \(year) AND node_id = \(nodeID) AND candidates > 0 ORDER BY status, level, subject_category, exemption, bonus
            """, logger: logger
        ).decode((String, String, String, String, String, Int).self) {
            counts.append(Count(status: status, level: level, subjectCategory: category, exemption: exemption, bonus: bonus, candidates: candidates))
        }
        return counts
    }
}
