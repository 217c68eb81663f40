import Logging
import PostgresNIO

/// What the Review service changes itself (an exemption decision, a bonus award) marks its
/// candidates for the statistics fold, in the change's transaction, as an event would.
enum StatisticsMarks {
    static func mark(_ candidateIDs: [Int64], on connection: PostgresConnection, logger: Logger) async throws {
        guard !candidateIDs.isEmpty else { return }
        try await connection.query("INSERT INTO statistics_mark (candidate_id) SELECT unnest(\(candidateIDs)::bigint[])", logger: logger)
    }
}
