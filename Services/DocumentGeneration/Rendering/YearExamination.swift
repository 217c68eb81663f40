import Foundation
import Logging
import PostgresNIO

/// What the documents print of the year's examination (Registration's exam-year document):
/// the groups with their papers' times, and the candidate rules (考生须知).
struct YearExamination: Decodable, Sendable {
    struct Group: Decodable, Sendable {
        let code: String
        let name: String
        let papers: [Paper]
    }

    struct Paper: Decodable, Sendable {
        let name: String
        let starts: Date
        let ends: Date
    }

    let groups: [Group]
    let candidateRules: String?

    func group(_ code: String) -> Group? { groups.first { $0.code == code } }

    static func of(year: Int, on connection: PostgresConnection, logger: Logger) async throws -> YearExamination {
        let json = try await connection.query(
            "SELECT coalesce(document -> 'examination', '{\"groups\": []}')::text FROM exam_year WHERE year = \(year)", logger: logger
        ).decode(String.self).first { _ in true } ?? "{\"groups\": []}"
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(YearExamination.self, from: Data(json.utf8))
    }
}

/// Dates and times as the province prints them, in Beijing time.
enum PrintedTime {
    private static let zone = TimeZone(identifier: "Asia/Shanghai")!

    private static func components(_ date: Date) -> DateComponents {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
    }

    /// 10月24日
    static func day(_ date: Date) -> String {
        let c = components(date)
        return "\(c.month!)月\(c.day!)日"
    }

    /// 09:00
    static func clock(_ date: Date) -> String {
        let c = components(date)
        return String(format: "%02d:%02d", c.hour!, c.minute!)
    }

    /// 2026年10月24日
    static func date(_ date: Date) -> String {
        "\(components(date).year!)年" + day(date)
    }

    /// 2026-12-06 14:05
    static func minute(_ date: Date) -> String {
        let c = components(date)
        return String(format: "%04d-%02d-%02d %02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!)
    }

    static func paper(_ paper: YearExamination.Paper) -> [String: String] {
        ["date": day(paper.starts), "time": "\(clock(paper.starts))-\(clock(paper.ends))", "subject": paper.name]
    }
}
