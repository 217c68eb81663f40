import Testing

@testable import DocumentGenerationService

/// The rules of the province's score and admission files, row by row.
@Suite struct ExamResultRowsTests {
    @Test func aScoreRowSumsItsSubjectsAndChecksAGivenTotal() throws {
        let subjects = ResultRows.Scores.subjects(of: ["考生号", "语文", "数学", "总分", ""])
        #expect(subjects == ["语文", "数学"])
        let row = try ResultRows.Scores.read(["考生号": "26430102000001", "语文": "98.5", "数学": "110", "总分": "208.5"], subjects: subjects).get()
        #expect(row.total == 208.5 && row.scores == [.init(subject: "语文", score: 98.5), .init(subject: "数学", score: 110)])
        // A blank subject: the paper was not sat; the total is what was.
        #expect(try ResultRows.Scores.read(["考生号": "26430102000001", "语文": "60"], subjects: subjects).get().total == 60)
        let refusals: [([String: String], String)] = [
            (["考生号": "2643010200000", "语文": "60"], "candidate_number.format"),
            (["考生号": "2643010200000X", "语文": "60"], "candidate_number.format"),
            (["考生号": "26430102000001", "语文": "151"], "score.format"),
            (["考生号": "26430102000001", "语文": "60.25"], "score.format"),
            (["考生号": "26430102000001", "语文": "-1"], "score.format"),
            (["考生号": "26430102000001", "语文": "六十"], "score.format"),
            (["考生号": "26430102000001"], "score.missing"),
            (["考生号": "26430102000001", "语文": "60", "数学": "70", "总分": "131"], "total.mismatch"),
        ]
        for (cells, code) in refusals {
            guard case .failure(let problem) = ResultRows.Scores.read(cells, subjects: subjects) else {
                Issue.record("\(cells) was accepted")
                continue
            }
            #expect(problem.code == code, "\(cells)")
        }
    }

    @Test func anAdmissionRowNeedsItsCodesAndNames() throws {
        let good = ["考生号": "26430102000001", "院校代码": "10538", "院校名称": "中南林业科技大学", "专业代码": "A01", "专业名称": "汉语言文学"]
        #expect(try ResultRows.Admission.read(good).get().integrity == "无")
        var bad = good
        bad["院校代码"] = "10538-1"
        #expect(ResultRows.Admission.read(bad) == .failure(.init(code: "code.format", message: "院校代码和专业代码应为 1-10 位字母或数字")))
        bad = good
        bad["专业名称"] = nil
        guard case .failure(let missing) = ResultRows.Admission.read(bad) else { Issue.record("accepted"); return }
        #expect(missing.code == "name.length")
        bad = good
        bad["诚信记录"] = String(repeating: "违", count: 201)
        guard case .failure(let long) = ResultRows.Admission.read(bad) else { Issue.record("accepted"); return }
        #expect(long.code == "integrity.length")
    }
}
