import Foundation
import ServiceRuntime

/// What a row of an imported file may say, judged before anything is written: the rules of the
/// province's score and admission files, in one place.
enum ResultRows {
    static let candidateNumber = "考生号"

    struct Problem: Error, Equatable {
        let code: String
        let message: String
    }

    struct Score: Codable, Sendable, Equatable {
        let subject: String
        let score: Double
    }

    /// A score file: 考生号, one column per subject (a blank cell: the candidate did not sit that
    /// paper), and optionally 总分, which must then be the sum.
    struct Scores: Equatable {
        static let total = "总分"
        let candidateNumber: String
        let scores: [Score]
        let total: Double

        static func subjects(of columns: [String]) -> [String] {
            columns.filter { !$0.isEmpty && $0 != ResultRows.candidateNumber && $0 != total }
        }

        static func read(_ cells: [String: String], subjects: [String]) -> Result<Scores, Problem> {
            guard let number = ResultRows.number(cells) else { return .failure(Problem(code: "candidate_number.format", message: "考生号应为 14 位数字")) }
            var scores: [Score] = []
            for subject in subjects {
                guard let text = cells[subject] else { continue }
                guard let score = ResultRows.score(text), score <= 150 else {
                    return .failure(Problem(code: "score.format", message: "\(subject)的成绩应为 0-150 的数，至多一位小数"))
                }
                scores.append(Score(subject: subject, score: score))
            }
            guard !scores.isEmpty else { return .failure(Problem(code: "score.missing", message: "没有任何科目的成绩")) }
            let sum = (scores.reduce(0) { $0 + $1.score } * 10).rounded() / 10
            if let text = cells[total] {
                guard let given = ResultRows.score(text), abs(given - sum) < 0.05 else {
                    return .failure(Problem(code: "total.mismatch", message: "总分与各科成绩之和（\(sum)）不符"))
                }
            }
            return .success(Scores(candidateNumber: number, scores: scores, total: sum))
        }
    }

    /// An admission file: 考生号, 院校代码, 院校名称, 专业代码, 专业名称, and optionally 诚信记录
    /// (the integrity record; none is "无").
    struct Admission: Equatable {
        static let columns = (institutionCode: "院校代码", institutionName: "院校名称", majorCode: "专业代码", majorName: "专业名称", integrity: "诚信记录")
        let candidateNumber: String
        let institutionCode: String
        let institutionName: String
        let majorCode: String
        let majorName: String
        let integrity: String

        static var required: [String] {
            [ResultRows.candidateNumber, columns.institutionCode, columns.institutionName, columns.majorCode, columns.majorName]
        }

        static func read(_ cells: [String: String]) -> Result<Admission, Problem> {
            guard let number = ResultRows.number(cells) else { return .failure(Problem(code: "candidate_number.format", message: "考生号应为 14 位数字")) }
            let code = cells[columns.institutionCode] ?? "", major = cells[columns.majorCode] ?? ""
            guard (1...10).contains(code.count), code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }),
                (1...10).contains(major.count), major.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) })
            else { return .failure(Problem(code: "code.format", message: "院校代码和专业代码应为 1-10 位字母或数字")) }
            let institution = cells[columns.institutionName] ?? "", majorName = cells[columns.majorName] ?? ""
            guard (1...60).contains(institution.count), (1...60).contains(majorName.count) else {
                return .failure(Problem(code: "name.length", message: "院校名称和专业名称应为 1-60 字"))
            }
            let integrity = cells[columns.integrity] ?? "无"
            guard integrity.count <= 200 else { return .failure(Problem(code: "integrity.length", message: "诚信记录至多 200 字")) }
            return .success(
                Admission(candidateNumber: number, institutionCode: code, institutionName: institution, majorCode: major, majorName: majorName, integrity: integrity))
        }
    }

    static func number(_ cells: [String: String]) -> String? {
        guard let number = cells[candidateNumber], number.count == 14, number.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }) else { return nil }
        return number
    }

    /// 0 to 999 with at most one decimal.
    static func score(_ text: String) -> Double? {
        guard text.wholeMatch(of: /[0-9]{1,3}(\.[0-9])?/) != nil else { return nil }
        return Double(text)
    }
}
