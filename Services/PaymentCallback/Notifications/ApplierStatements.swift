import CandidateLifecycle
import Foundation
import PostgresNIO

/// The applier's statements that run for every batch, prepared once per connection: parsing and
/// planning them again for each batch cost PostgreSQL about a tenth of its time on the payment path.
/// (Close and refund notices, refunds and anomalies are rare and stay plain queries.)
enum ApplierStatements {
    /// Takes up to `limit` notifications off the queue, oldest first; the deletes commit with what
    /// the batch applies, or not at all.
    struct Take: PostgresPreparedStatement {
        static let sql = """
            WITH taken AS (
                DELETE FROM payment_notification_pending WHERE id = ANY(ARRAY(
                    SELECT id FROM payment_notification_pending ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED))
                RETURNING id)
            SELECT n.id, n.provider, n.order_no, n.trade_no, n.kind, n.amount_fen, n.occurred_at
            FROM payment_notification n JOIN taken USING (id) ORDER BY n.id
            """
        typealias Row = (Int64, String, String, String, String, Int, Date?)
        let limit: Int

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(limit)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// Waits for the notifications of the same candidates that arrived before `$1` (the batch's
    /// last) and that another applier has taken but not yet applied: their rows are still there
    /// for us until that applier commits, and locking them waits for it. So every candidate's
    /// notifications apply in arrival order, however the appliers share them out (two workers
    /// otherwise applied a candidate's second payment first whenever its applier locked the
    /// candidate first). Taken before any candidate is locked, so no two appliers wait on each other.
    struct WaitForEarlier: PostgresPreparedStatement {
        static let sql = """
            SELECT p.id FROM payment_notification_pending p
            JOIN payment_notification n ON n.id = p.id
            JOIN payment_order o ON (o.provider, o.order_no) = (n.provider, n.order_no)
            WHERE p.id < $1 AND o.candidate_id IN (
                SELECT mine.candidate_id FROM payment_order mine
                WHERE (mine.provider, mine.order_no) IN (SELECT * FROM unnest($2::text[], $3::text[])))
            FOR UPDATE OF p
            """
        typealias Row = Int64
        let last: Int64
        let providers: [String]
        let orderNos: [String]

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 3)
            bindings.append(last)
            bindings.append(providers)
            bindings.append(orderNos)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// The orders and their candidates, locked in candidate order (as every worker locks them).
    struct LockOrders: PostgresPreparedStatement {
        static let sql = """
            SELECT o.order_no, o.provider, o.candidate_id, o.year, o.amount_fen, o.status, c.status
            FROM payment_order o JOIN candidate_account c ON c.id = o.candidate_id
            WHERE o.order_no = ANY($1)
            ORDER BY c.id
            FOR UPDATE OF o, c
            """
        typealias Row = (String, String, Int64, Int, Int, String, String)
        let orderNos: [String]

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(orderNos)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// Which of these provider transactions are already recorded.
    struct RecordedTrades: PostgresPreparedStatement {
        static let sql = """
            SELECT p.provider, p.trade_no FROM payment_transaction p
            JOIN unnest($1::text[], $2::text[]) AS t(provider, trade_no) ON p.provider = t.provider AND p.trade_no = t.trade_no
            """
        typealias Row = (String, String)
        let providers: [String]
        let tradeNos: [String]

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 2)
            bindings.append(providers)
            bindings.append(tradeNos)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    struct MarkOrdersPaid: PostgresPreparedStatement {
        static let sql = """
            UPDATE payment_order o SET status = 'paid', paid_at = t.paid_at, trade_no = t.trade_no
            FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS t(order_no, trade_no, paid_at)
            WHERE o.order_no = t.order_no
            """
        typealias Row = ()
        let orderNos: [String]
        let tradeNos: [String]
        let paidAt: [Date]

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 3)
            bindings.append(orderNos)
            bindings.append(tradeNos)
            bindings.append(paidAt)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws {}
    }

    /// The candidates paid, each with its transition (by the system, naming the provider), by the
    /// lifecycle's statement part.
    struct MarkCandidatesPaid: PostgresPreparedStatement {
        static let sql = """
            WITH paying AS (
                SELECT t.id AS candidate_id, 'confirmed'::text AS from_status, 'paid'::text AS to_status, 'system'::text AS actor_kind,
                       NULL::bigint AS actor_id, 'payment:' || t.provider AS client_address, NULL::text AS reason
                FROM unnest($1::bigint[], $2::text[]) AS t(id, provider)
            ), \(CandidateLifecycle.moves(from: "paying"))
            SELECT FROM moved WHERE false
            """
        typealias Row = ()
        let candidateIDs: [Int64]
        let providers: [String]

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 2)
            bindings.append(candidateIDs)
            bindings.append(providers)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws {}
    }

    /// One row per provider transaction; a row per transaction actually inserted.
    struct RecordTransactions: PostgresPreparedStatement {
        static let sql = """
            INSERT INTO payment_transaction (provider, trade_no, order_no, amount_fen, paid_at, candidate_id, disposition)
            SELECT t.provider, t.trade_no, t.order_no, t.amount, t.paid_at, nullif(t.candidate_id, 0), t.disposition
            FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::timestamptz[], $6::bigint[], $7::text[])
                AS t(provider, trade_no, order_no, amount, paid_at, candidate_id, disposition)
            ON CONFLICT (provider, trade_no) DO NOTHING RETURNING 1
            """
        typealias Row = Int
        var providers: [String] = [], tradeNos: [String] = [], orderNos: [String] = [], amounts: [Int] = []
        var paidAt: [Date] = [], candidateIDs: [Int64] = [], dispositions: [String] = []

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 7)
            bindings.append(providers)
            bindings.append(tradeNos)
            bindings.append(orderNos)
            bindings.append(amounts)
            bindings.append(paidAt)
            bindings.append(candidateIDs)
            bindings.append(dispositions)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Int { try row.decode(Int.self) }
    }

    struct MarkApplied: PostgresPreparedStatement {
        static let sql = """
            UPDATE payment_notification n SET applied_at = now(), outcome = t.outcome
            FROM unnest($1::bigint[], $2::text[]) AS t(id, outcome)
            WHERE n.id = t.id
            """
        typealias Row = ()
        let ids: [Int64]
        let outcomes: [String]

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 2)
            bindings.append(ids)
            bindings.append(outcomes)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws {}
    }
}
