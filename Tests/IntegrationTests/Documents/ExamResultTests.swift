import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PostgresNIO
import ServiceRuntime
import Testing

/// After the exam: the province imports scores and admissions (CSV and XLSX, every row answered)
/// and prints the registration records (考生登记表) of an institution's admitted candidates.
@Suite(.serialized) struct ExamResultTests {
    @Test func resultsAreImportedRowByRowAndTheAdmittedCandidatesRecordsArePrinted() async throws {
        try await ReviewStack.with { fixture, _ in
            var (_, province) = try await fixture.signedInProvinceAdministrator()
            var (_, county) = try await fixture.signedInStaff(at: "430102", roles: ["county_officer"], approvedBy: &province)
            let (candidate, _) = try await ReviewStack.paidCandidate(fixture, province: &province)
            let number = try await ReviewStack.candidateNumber(candidate.id, fixture)
            let others = try await ArrangementStack.candidates(2, county: "430102", fixture)
            let first = try await ReviewStack.candidateNumber(others[0], fixture), second = try await ReviewStack.candidateNumber(others[1], fixture)

            let scores = """
                考生号,语文,数学,总分
                \(number),98.5,110,208.5
                \(first),90,abc,
                \(second),90,80,171
                \(second),90,80,
                00000000000000,1,1,
                \(number),1,1,2
                12345,1,1,2

                """
            var csv = province.headers(json: false)
            csv[.contentType] = "text/csv"
            #expect(try await fixture.send(.post, "/staff/exam-results/scores", raw: Array(scores.utf8), headers: county.headers(json: false)).status == .forbidden)
            let report = try await fixture.send(.post, "/staff/exam-results/scores", raw: Array(scores.utf8), headers: csv)
            #expect(report.json["imported"] as? Int == 2 && report.json["refused"] as? Int == 5, "\(report.text)")
            let codes = (report.json["rows"] as? [[String: Any]] ?? []).map { "\($0["line"] as? Int ?? 0):\($0["code"] as? String ?? "ok")" }
            #expect(codes == ["2:ok", "3:score.format", "4:total.mismatch", "5:ok", "6:candidate.unknown", "7:row.duplicate", "8:candidate_number.format"], "\(codes)")
            #expect(try await ReviewStack.count("SELECT (archive_score * 10)::int FROM exam_result WHERE candidate_number = \(number)", fixture) == 2085)
            let noSubjects = try await fixture.send(.post, "/staff/exam-results/scores", raw: Array("考生号,总分\n\(number),1\n".utf8), headers: csv)
            #expect(noSubjects.status == .unprocessableContent && noSubjects.text.contains("file.columns"), "\(noSubjects.text)")

            // Admissions as XLSX: the unscored candidate is refused.
            let admissions = TableDownload(
                columns: ["考生号", "院校代码", "院校名称", "专业代码", "专业名称", "诚信记录"],
                rows: [
                    [number, "10538", "中南林业科技大学", "A01", "汉语言文学", "无违纪记录"], [first, "10538", "中南林业科技大学", "A01", "汉语言文学", ""],
                    [second, "10538", "中南林业科技大学", "B02", "会计", ""],
                ])
            var xlsx = province.headers(json: false)
            xlsx[.contentType] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            let admitted = try await fixture.send(.post, "/staff/exam-results/admissions", raw: try admissions.xlsx(), headers: xlsx)
            #expect(admitted.json["imported"] as? Int == 2 && admitted.text.contains("candidate.unscored"), "\(admitted.text)")

            // The institution's records: a page per admitted candidate, made once per version.
            #expect(try await fixture.send(.get, "/staff/registration-records/10538", as: &county).status == .forbidden)
            #expect(try await fixture.send(.get, "/staff/registration-records/99999", as: &province).errorCode == "registration_record.none")
            let records = try await fixture.send(.get, "/staff/registration-records/10538", as: &province)
            #expect(records.status == .ok && records.headers[.contentType] == "application/pdf", "\(records.text.prefix(300))")
            let pdf = try await DocumentChecks.check(Array(buffer: records.body), name: "registration_record")
            for expected in ["考生登记表", candidate.name, candidate.number, number, "208.5", "98.5", "中南林业科技大学", "汉语言文学", "无违纪记录", "会计"] {
                #expect(pdf.shows(expected), "\(expected) in \(pdf.text)")
            }
            #expect(pdf.pages == 2 && pdf.isA4 && pdf.images == 1 && pdf.fonts.allSatisfy(\.embedded), "\(pdf.pages) \(pdf.images) \(pdf.fonts)")
            let again = try await fixture.send(.get, "/staff/registration-records/10538", as: &province)
            #expect(Array(buffer: again.body) == Array(buffer: records.body))
            #expect(try await ReviewStack.count("SELECT count(*)::int FROM stored_document WHERE kind = 'registration_record'", fixture) == 1)
            // A corrected score is a new version.
            _ = try await fixture.send(.post, "/staff/exam-results/scores", raw: Array("考生号,语文,数学\n\(number),99.5,110\n".utf8), headers: csv)
            let corrected = try await fixture.send(.get, "/staff/registration-records/10538", as: &province)
            #expect(try await DocumentChecks.check(Array(buffer: corrected.body), name: "registration_record-corrected").shows("209.5"))
            #expect(try await ReviewStack.count("SELECT count(*)::int FROM stored_document WHERE kind = 'registration_record'", fixture) == 2)
            #expect(try await ReviewStack.count("SELECT count(*)::int FROM audit_event WHERE action = 'registration_record.download' AND outcome = 'allowed'", fixture) == 3)
        }
    }
}
