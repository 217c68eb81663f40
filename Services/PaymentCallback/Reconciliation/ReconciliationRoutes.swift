import Access
import Foundation
import Hummingbird
import Logging
import Payments
import PostgresNIO
import ServiceRuntime
import SwiftCSV

/// Reconciliation (对账), for the province: `POST /staff/payments/reconciliations?provider=&day=`
/// with the provider's statement of the day (CSV: `trade_no,out_trade_no,amount,paid_at`) lists
/// every mismatch: paid there but not here, paid here but not there, amounts that differ.
/// Nothing is corrected automatically. `GET /staff/payments/reconciliations/{id}` shows one again.
struct ReconciliationRoutes: Sendable {
    let access: AccessControl
    let postgres: PostgresClient
    let logger: Logger

    func add(to routes: ServiceRoutes) {
        routes.staff.post("staff/payments/reconciliations", use: reconcile)
        routes.staff.get("staff/payments/reconciliations/{id}", use: show)
    }

    struct Mismatch: Codable, Sendable, Equatable {
        let kind: String
        let tradeNo: String
        let orderNo: String?
        let amountHereFen: Int?
        let amountThereFen: Int?
    }

    struct Reconciliation: Codable, Sendable {
        let id: Int64
        let provider: String
        let day: String
        let statementLines: Int
        let mismatches: [Mismatch]
    }

    struct StatementLine {
        let tradeNo: String
        let orderNo: String
        let amountFen: Int
    }

    @Sendable func reconcile(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<Reconciliation> {
        let member = try context.staff
        guard member.isProvinceAdministrator else {
            try await access.audit.record(.staff(member), action: "payment.reconcile", target: .init(kind: "reconciliation", id: "-"), outcome: .denied, request: request)
            throw APIError.forbidden
        }
        var validation = Validation()
        let provider = request.uri.queryParameters.get("provider").flatMap(PaymentProvider.init(rawValue:))
        if provider == nil { validation.add("provider", "provider.unknown", "支付渠道应为 alipay 或 wechat") }
        let day = request.uri.queryParameters.get("day") ?? ""
        if !CalendarDate.isValid(day) { validation.add("day", "day.format", "日期格式应为 YYYY-MM-DD") }
        try validation.check()
        let body = try await request.body(upTo: 20 << 20, orElse: APIError(.contentTooLarge, code: "body_too_large", message: "对账单过大（最大 20 MB）"))
        let lines = try Self.statement(Array(buffer: body))
        guard let provider else { throw APIError.invalid(validation.errors) }

        let id = try await postgres.withTransaction(logger: logger) { connection -> Int64 in
            var here: [String: (order: String, amount: Int)] = [:]
            for try await (trade, order, amount) in try await connection.query(
                "SELECT trade_no, order_no, amount_fen FROM payment_transaction WHERE provider = \(provider.rawValue) AND trade_no = ANY(\(lines.map(\.tradeNo)))",
                logger: logger
            ).decode((String, String, Int).self) {
                here[trade] = (order, amount)
            }
            var mismatches: [Mismatch] = []
            for line in lines {
                if let recorded = here[line.tradeNo] {
                    if recorded.amount != line.amountFen {
                        mismatches.append(Mismatch(kind: "amount_differs", tradeNo: line.tradeNo, orderNo: line.orderNo, amountHereFen: recorded.amount, amountThereFen: line.amountFen))
                    }
                } else {
                    mismatches.append(Mismatch(kind: "paid_there_not_here", tradeNo: line.tradeNo, orderNo: line.orderNo, amountHereFen: nil, amountThereFen: line.amountFen))
                }
            }
            let listed = Set(lines.map(\.tradeNo))
            for try await (trade, order, amount) in try await connection.query(
                """
                SELECT trade_no, order_no, amount_fen FROM payment_transaction
                WHERE provider = \(provider.rawValue) AND (coalesce(paid_at, recorded_at) AT TIME ZONE 'Asia/Shanghai')::date = \(day)::date
                ORDER BY trade_no
                """, logger: logger
            ).decode((String, String, Int).self) where !listed.contains(trade) {
                mismatches.append(Mismatch(kind: "paid_here_not_there", tradeNo: trade, orderNo: order, amountHereFen: amount, amountThereFen: nil))
            }
            let id = try await connection.query(
                """
                INSERT INTO payment_reconciliation (provider, day, statement_lines, uploaded_by)
                VALUES (\(provider.rawValue), \(day)::date, \(lines.count), \(member.id)) RETURNING id
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
                .staff(member), action: "payment.reconcile", target: .init(kind: "reconciliation", id: String(id)), clientAddress: request.clientAddress,
                on: connection, logger: logger)
            return id
        }
        return JSONOutput(try await reconciliation(id)!, status: .created)
    }

    @Sendable func show(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<Reconciliation> {
        let member = try context.staff
        let id = try context.positiveID()
        guard member.isProvinceAdministrator else {
            try await access.audit.record(.staff(member), action: "payment.reconciliation.read", target: .init(kind: "reconciliation", id: String(id)), outcome: .denied, request: request)
            throw APIError.forbidden
        }
        guard let found = try await reconciliation(id) else { throw APIError.notFound }
        return JSONOutput(found)
    }

    private func reconciliation(_ id: Int64) async throws -> Reconciliation? {
        var head: (String, String, Int)?
        for try await row in try await postgres.query(
            "SELECT provider, day::text, statement_lines FROM payment_reconciliation WHERE id = \(id)", logger: logger
        ).decode((String, String, Int).self) {
            head = row
        }
        guard let (provider, day, lines) = head else { return nil }
        var mismatches: [Mismatch] = []
        for try await (kind, trade, order, here, there) in try await postgres.query(
            "SELECT kind, trade_no, order_no, amount_here_fen, amount_there_fen FROM payment_mismatch WHERE reconciliation_id = \(id) ORDER BY kind, trade_no",
            logger: logger
        ).decode((String, String, String?, Int?, Int?).self) {
            mismatches.append(Mismatch(kind: kind, tradeNo: trade, orderNo: order, amountHereFen: here, amountThereFen: there))
        }
        return Reconciliation(id: id, provider: provider, day: day, statementLines: lines, mismatches: mismatches)
    }

    /// The statement's lines, or 422 naming each bad line.
    static func statement(_ bytes: [UInt8]) throws -> [StatementLine] {
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        guard let text = String(validating: body, as: UTF8.self), let csv = try? EnumeratedCSV(string: text, loadColumns: false) else {
            throw APIError.invalid(field: "statement", code: "statement.format", message: "对账单须为 UTF-8 编码的 CSV")
        }
        guard csv.header.map({ $0.trimmingCharacters(in: .whitespaces) }).prefix(3) == ["trade_no", "out_trade_no", "amount"] else {
            throw APIError.invalid(field: "statement", code: "statement.header", message: "对账单表头应为 trade_no,out_trade_no,amount,paid_at")
        }
        var lines: [StatementLine] = []
        var problems: [FieldError] = []
        var seen = Set<String>()
        for (index, row) in csv.rows.enumerated() where !row.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            let cells = row.map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 3, !cells[0].isEmpty, cells[0].count <= 64, let amount = Yuan.fen(cells[2]), seen.insert(cells[0]).inserted else {
                problems.append(FieldError(field: "line \(index + 2)", code: "statement.line", message: "第 \(index + 2) 行格式有误或交易号重复"))
                continue
            }
            lines.append(StatementLine(tradeNo: cells[0], orderNo: cells[1], amountFen: amount))
        }
        guard problems.isEmpty else { throw APIError.invalid(Array(problems.prefix(100))) }
        return lines
    }
}
