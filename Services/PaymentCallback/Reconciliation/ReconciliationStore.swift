import Access
import Logging
import Payments
import PostgresNIO

/// `payment_reconciliation` and its `payment_mismatch` rows, compared against `payment_transaction`.
struct ReconciliationStore: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    /// Compares the statement with our payments, stores the result with its audit row; its id.
    func reconcile(
        _ statement: [Reconciliation.Payment], provider: PaymentProvider, day: String, by member: StaffMember, clientAddress: String
    ) async throws -> Int64 {
        try await postgres.withTransaction(logger: logger) { connection -> Int64 in
            var recorded: [Reconciliation.Payment] = []
            for try await (trade, order, amount) in try await connection.query(
                "SELECT trade_no, order_no, amount_fen FROM payment_transaction WHERE provider = \(provider.rawValue) AND trade_no = ANY(\(statement.map(\.tradeNo)))",
                logger: logger
            ).decode((String, String, Int).self) {
                recorded.append(.init(tradeNo: trade, orderNo: order, amountFen: amount))
            }
            var ofTheDay: [Reconciliation.Payment] = []
            for try await (trade, order, amount) in try await connection.query(
                """
                SELECT trade_no, order_no, amount_fen FROM payment_transaction
                WHERE provider = \(provider.rawValue) AND (coalesce(paid_at, recorded_at) AT TIME ZONE 'Asia/Shanghai')::date = \(day)::date
                ORDER BY trade_no
                """, logger: logger
            ).decode((String, String, Int).self) {
                ofTheDay.append(.init(tradeNo: trade, orderNo: order, amountFen: amount))
            }
            let mismatches = Reconciliation.mismatches(statement: statement, recorded: recorded, ofTheDay: ofTheDay)
            let id = try await connection.query(
                """
                INSERT INTO payment_reconciliation (provider, day, statement_lines, uploaded_by)
                VALUES (\(provider.rawValue), \(day)::date, \(statement.count), \(member.id)) RETURNING id
                """, logger: logger
            ).decode(Int64.self).first { _ in true }!
            if !mismatches.isEmpty {
                try await connection.query(
                    """
                    INSERT INTO payment_mismatch (reconciliation_id, kind, trade_no, order_no, amount_here_fen, amount_there_fen)
                    SELECT \(id), t.kind, t.trade_no, nullif(t.order_no, ''), nullif(t.here, -1), nullif(t.there, -1)
                    FROM unnest(\(mismatches.map(\.kind))::text[], \(mismatches.map(\.tradeNo))::text[], \(mismatches.map { $0.orderNo ?? "" })::text[],
                                \(mismatches.map { $0.amountHereFen ?? -1 })::int[], \(mismatches.map { $0.amountThereFen ?? -1 })::int[])
                        AS t(kind, trade_no, order_no, here, there)
                    """, logger: logger)
            }
            try await AuditLog.record(
                .staff(member), action: "payment.reconcile", target: .init(kind: "reconciliation", id: String(id)), clientAddress: clientAddress,
                on: connection, logger: logger)
            return id
        }
    }

    func reconciliation(_ id: Int64) async throws -> Reconciliation? {
        var head: (String, String, Int)?
        for try await row in try await postgres.query(
            "SELECT provider, day::text, statement_lines FROM payment_reconciliation WHERE id = \(id)", logger: logger
        ).decode((String, String, Int).self) {
            head = row
        }
        guard let (provider, day, lines) = head else { return nil }
        var mismatches: [Reconciliation.Mismatch] = []
        for try await (kind, trade, order, here, there) in try await postgres.query(
            "SELECT kind, trade_no, order_no, amount_here_fen, amount_there_fen FROM payment_mismatch WHERE reconciliation_id = \(id) ORDER BY kind, trade_no",
            logger: logger
        ).decode((String, String, String?, Int?, Int?).self) {
            mismatches.append(.init(kind: kind, tradeNo: trade, orderNo: order, amountHereFen: here, amountThereFen: there))
        }
        return Reconciliation(id: id, provider: provider, day: day, statementLines: lines, mismatches: mismatches)
    }
}
