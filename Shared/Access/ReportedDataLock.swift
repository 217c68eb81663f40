import Logging
import PostgresNIO
import ServiceRuntime

/// After the province accepts a city's data report, the data of its candidates changes only once
/// the province reopens the report (`candidate_data_locked`, migration 0034). The one check
/// every staff correction of reported data makes, inside its transaction.
public enum ReportedDataLock {
    public static let locked = Refusal.conflict("report.locked", "该考生所在市州的数据已由省级接收，须经省级重新开放后才能修改")

    public static func check(_ candidateID: Int64, on connection: PostgresConnection, logger: Logger) async throws {
        let isLocked = try await connection.query("SELECT candidate_data_locked(\(candidateID))", logger: logger)
            .decode(Bool.self).first { _ in true } ?? false
        if isLocked { throw locked }
    }
}
