import Foundation
import Payments
import ServiceRuntime
import SwiftCSV

/// One day's comparison of a provider's statement with the payments recorded here.
struct Reconciliation: Codable, Sendable {
    let id: Int64
    let provider: String
    let day: String
    let statementLines: Int
    let mismatches: [Mismatch]

    struct Mismatch: Codable, Sendable, Equatable {
        let kind: String
        let tradeNo: String
        let orderNo: String?
        let amountHereFen: Int?
        let amountThereFen: Int?
    }

    /// A payment as one side records it.
    struct Payment: Sendable, Equatable {
        let tradeNo: String
        let orderNo: String
        let amountFen: Int
    }

    /// Every difference: paid there but not here, paid here (on the day) but not there, amounts
    /// that differ. `recorded` holds our payments with the statement's trade numbers; `ofTheDay`
    /// our payments of the day.
    static func mismatches(statement: [Payment], recorded: [Payment], ofTheDay: [Payment]) -> [Mismatch] {
        let here = Dictionary(recorded.map { ($0.tradeNo, $0) }, uniquingKeysWith: { first, _ in first })
        var mismatches: [Mismatch] = []
        for line in statement {
            if let recorded = here[line.tradeNo] {
                if recorded.amountFen != line.amountFen {
                    mismatches.append(Mismatch(kind: "amount_differs", tradeNo: line.tradeNo, orderNo: line.orderNo, amountHereFen: recorded.amountFen, amountThereFen: line.amountFen))
                }
            } else {
                mismatches.append(Mismatch(kind: "paid_there_not_here", tradeNo: line.tradeNo, orderNo: line.orderNo, amountHereFen: nil, amountThereFen: line.amountFen))
            }
        }
        let listed = Set(statement.map(\.tradeNo))
        for payment in ofTheDay where !listed.contains(payment.tradeNo) {
            mismatches.append(Mismatch(kind: "paid_here_not_there", tradeNo: payment.tradeNo, orderNo: payment.orderNo, amountHereFen: payment.amountFen, amountThereFen: nil))
        }
        return mismatches
    }

    /// The statement's lines (CSV: `trade_no,out_trade_no,amount,paid_at`), or a refusal naming
    /// each bad line.
    static func statement(_ bytes: [UInt8]) throws(Refusal) -> [Payment] {
        guard case .csv(let text) = TableFile.sniff(bytes), let csv = try? EnumeratedCSV(string: text, loadColumns: false) else {
            throw .invalid(field: "statement", code: "statement.format", message: "对账单须为 UTF-8 编码的 CSV")
        }
        guard csv.header.map({ $0.trimmingCharacters(in: .whitespaces) }).prefix(3) == ["trade_no", "out_trade_no", "amount"] else {
            throw .invalid(field: "statement", code: "statement.header", message: "对账单表头应为 trade_no,out_trade_no,amount,paid_at")
        }
        var lines: [Payment] = []
        var problems: [FieldError] = []
        var seen = Set<String>()
        for (index, row) in csv.rows.enumerated() where !row.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            let cells = row.map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 3, !cells[0].isEmpty, cells[0].count <= 64, let amount = Yuan.fen(cells[2]), seen.insert(cells[0]).inserted else {
                problems.append(FieldError(field: "line \(index + 2)", code: "statement.line", message: "第 \(index + 2) 行格式有误或交易号重复"))
                continue
            }
            lines.append(Payment(tradeNo: cells[0], orderNo: cells[1], amountFen: amount))
        }
        guard problems.isEmpty else { throw .invalid(Array(problems.prefix(100))) }
        return lines
    }
}
