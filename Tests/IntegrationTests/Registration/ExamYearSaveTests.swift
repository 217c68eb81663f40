import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
import Testing

/// Saving a year makes it the only current one, however many saves arrive at once.
@Suite struct ExamYearSaveTests {
    @Test func savesOfYearsArrivingTogetherAllSucceedAndOneYearIsCurrent() async throws {
        try await ReviewStack.with { fixture in
            var (_, province) = try await fixture.signedInProvinceAdministrator()
            // Officers saving different years at the same moment, five rounds over: before the saves
            // were serialised, each inserted its year as current before seeing the other's, and the
            // one-current index refused the second (a 500).
            let headers = province.headers()
            for round in 0..<5 {
                let years = (1...6).map { ExamYearSetup.year + round * 6 + $0 }
                let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                    for next in years {
                        var document = ExamYearSetup.document()
                        document["year"] = next
                        let body = Array(try JSONSerialization.data(withJSONObject: document))
                        group.addTask { try await fixture.send(.put, "/staff/exam-years/\(next)", raw: body, headers: headers).status.code }
                    }
                    return try await group.reduce(into: [Int]()) { $0.append($1) }
                }
                #expect(statuses == Array(repeating: 200, count: 6), "round \(round): \(statuses)")
            }
            #expect(try await ReviewStack.count("SELECT count(*)::int FROM exam_year WHERE current", fixture) == 1)
            let next = ExamYearSetup.year + 1
            let read = try await fixture.send(.get, "/staff/exam-years/\(next)", as: &province)
            #expect(read.status == .ok && read.json["year"] as? Int == next, "\(read.text.prefix(200))")
        }
    }
}
