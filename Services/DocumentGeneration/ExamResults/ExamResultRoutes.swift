import Access
import Foundation
import Hummingbird
import ServiceRuntime

/// The province imports scores (`POST /staff/exam-results/scores`) and admissions
/// (`POST /staff/exam-results/admissions`) as CSV or XLSX; every row is answered in the report,
/// imported or refused with why. Scores are for candidates who sat the exam (paid); admissions for
/// those with a score, or admitted without the exam (exempt).
struct ExamResultRoutes: Sendable {
    let access: AccessControl
    let store: ExamResultStore

    static let maxFileBytes = 20 << 20

    func add(to routes: ServiceRoutes) {
        routes.staff.post("staff/exam-results/scores", use: importScores)
        routes.staff.post("staff/exam-results/admissions", use: importAdmissions)
    }

    struct RowReport: Codable, Sendable {
        let line: Int
        let candidateNumber: String
        /// `imported` or `refused`.
        let outcome: String
        let code: String?
        let message: String?
    }

    struct ImportReport: Codable, Sendable {
        let imported: Int
        let refused: Int
        let rows: [RowReport]
    }

    private func table(_ request: Request, _ context: ExamRequestContext, action: String, required: [String]) async throws -> (StaffMember, UploadedTable, Int) {
        let member = try context.staff
        try await access.staff.requireProvince(member, action: action, target: .init(kind: "result_import", id: "new"), request: request)
        guard let year = try await store.currentYear() else { throw APIError(.conflict, code: "exam_year.missing", message: "尚未设置当前考试年度") }
        let body = try await request.body(upTo: Self.maxFileBytes, orElse: APIError(.contentTooLarge, code: "file.too_large", message: "文件不能超过 20 MB"))
        let table: UploadedTable
        do {
            table = try UploadedTable.read(Array(buffer: body))
        } catch {
            throw APIError.invalid(field: "file", code: "file.unreadable", message: error.message)
        }
        let missing = required.filter { !table.columns.contains($0) }
        guard missing.isEmpty else { throw APIError.invalid(field: "file", code: "file.columns", message: "缺少列：\(missing.joined(separator: "、"))") }
        return (member, table, year)
    }

    @Sendable func importScores(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<ImportReport> {
        let (member, table, year) = try await table(request, context, action: "exam_result.import_scores", required: [ResultRows.candidateNumber])
        let subjects = ResultRows.Scores.subjects(of: table.columns)
        guard !subjects.isEmpty else { throw APIError.invalid(field: "file", code: "file.columns", message: "没有科目列") }
        let candidates = try await store.candidates(table.rows.compactMap { ResultRows.number($0.cells) }, year: year)
        var reports: [RowReport] = []
        var accepted: [(candidateID: Int64, scores: ResultRows.Scores, bonus: Int)] = []
        var seen = Set<String>()
        for row in table.rows {
            let number = String((row.cells[ResultRows.candidateNumber] ?? "").prefix(20))
            switch ResultRows.Scores.read(row.cells, subjects: subjects) {
            case .failure(let problem):
                reports.append(RowReport(line: row.number, candidateNumber: number, outcome: "refused", code: problem.code, message: problem.message))
            case .success(let scores):
                guard let candidate = candidates[scores.candidateNumber] else {
                    reports.append(RowReport(line: row.number, candidateNumber: number, outcome: "refused", code: "candidate.unknown", message: "本年度没有这个考生号"))
                    continue
                }
                guard candidate.status == "paid" else {
                    reports.append(RowReport(line: row.number, candidateNumber: number, outcome: "refused", code: "candidate.status", message: "该考生不是缴费参考的考生"))
                    continue
                }
                guard seen.insert(scores.candidateNumber).inserted else {
                    reports.append(RowReport(line: row.number, candidateNumber: number, outcome: "refused", code: "row.duplicate", message: "与前面的行重复"))
                    continue
                }
                accepted.append((candidate.id, scores, candidate.bonus))
                reports.append(RowReport(line: row.number, candidateNumber: number, outcome: "imported", code: nil, message: nil))
            }
        }
        try await store.importScores(accepted, year: year, total: table.rows.count, by: member, clientAddress: request.clientAddress)
        return JSONOutput(ImportReport(imported: accepted.count, refused: reports.count - accepted.count, rows: reports))
    }

    @Sendable func importAdmissions(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<ImportReport> {
        let (member, table, year) = try await table(request, context, action: "exam_result.import_admissions", required: ResultRows.Admission.required)
        let numbers = table.rows.compactMap { ResultRows.number($0.cells) }
        let candidates = try await store.candidates(numbers, year: year)
        let scored = try await store.scored(numbers, year: year)
        var reports: [RowReport] = []
        var accepted: [(candidateID: Int64, admission: ResultRows.Admission)] = []
        var seen = Set<String>()
        for row in table.rows {
            let number = String((row.cells[ResultRows.candidateNumber] ?? "").prefix(20))
            func refuse(_ code: String, _ message: String) {
                reports.append(RowReport(line: row.number, candidateNumber: number, outcome: "refused", code: code, message: message))
            }
            switch ResultRows.Admission.read(row.cells) {
            case .failure(let problem): refuse(problem.code, problem.message)
            case .success(let admission):
                guard let candidate = candidates[admission.candidateNumber] else { refuse("candidate.unknown", "本年度没有这个考生号"); continue }
                guard candidate.status == "exempt" || scored.contains(admission.candidateNumber) else {
                    refuse("candidate.unscored", "该考生没有成绩，也不是免试入学考生"); continue
                }
                guard seen.insert(admission.candidateNumber).inserted else { refuse("row.duplicate", "与前面的行重复"); continue }
                accepted.append((candidate.id, admission))
                reports.append(RowReport(line: row.number, candidateNumber: number, outcome: "imported", code: nil, message: nil))
            }
        }
        try await store.importAdmissions(accepted, year: year, total: table.rows.count, by: member, clientAddress: request.clientAddress)
        return JSONOutput(ImportReport(imported: accepted.count, refused: reports.count - accepted.count, rows: reports))
    }
}
