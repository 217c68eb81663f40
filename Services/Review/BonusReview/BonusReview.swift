import Foundation
import ServiceRuntime
import Storage

/// The year's bonus-point policies (照顾加分): code, name, points, and for some an automatic
/// rule (at least `minimumAge` years old on `ageOn`) that awards them from the data.
struct BonusPolicies: Sendable {
    struct Policy: Sendable {
        let name: String
        let points: Int
        let automatic: (minimumAge: Int, on: DateComponents)?
    }

    let year: Int?
    let byCode: [String: Policy]

    init(year: Int?, codes: [CurrentExamYear.Code]) {
        self.year = year
        byCode = Dictionary(
            codes.map { code in
                let automatic = code.minimumAge.flatMap { age in code.ageOn.flatMap(CalendarDate.parse).map { (minimumAge: age, on: $0) } }
                return (code.code, Policy(name: code.name, points: code.points ?? 0, automatic: automatic))
            }, uniquingKeysWith: { first, _ in first })
    }

    subscript(code: String) -> Policy? { byCode[code] }

    /// The automatic policies a candidate born on `birthDate` (YYYY-MM-DD) meets.
    func automaticAwards(born birthDate: String) -> [String] {
        guard let born = CalendarDate.parse(birthDate) else { return [] }
        return byCode.filter { _, policy in
            policy.automatic.map { CalendarDate.age(born: born, at: $0.on) >= $0.minimumAge } ?? false
        }.keys.sorted()
    }
}

/// One bonus item of a candidate as the city sees it: a point's claim (open until decided), an
/// entry from the city's list, or an automatic award.
struct BonusItem: Codable, Sendable, Equatable {
    let policyCode: String
    let policyName: String
    let points: Int
    /// `point_claim`, `city_list` or `automatic`.
    let source: String
    let evidence: String?
    /// `open`, `accepted` or `rejected`.
    let decision: String
    let reason: String?
}

/// A candidate's bonus items and the one that counts (特征分).
struct CandidateBonus: Codable, Sendable {
    let candidateID: Int64
    let items: [BonusItem]
    let countedPolicyCode: String?
    let countedPoints: Int

    /// Only the highest accepted item counts (SPEC §9); open and rejected ones count for nothing.
    init(candidateID: Int64, items: [BonusItem]) {
        self.candidateID = candidateID
        self.items = items
        let counted = items.filter { $0.decision == "accepted" }.max { ($0.points, $1.policyCode) < ($1.points, $0.policyCode) }
        countedPolicyCode = counted?.policyCode
        countedPoints = counted?.points ?? 0
    }
}

/// A claim waiting for (or past) the city's review, in a list.
struct BonusClaimCase: Codable, Sendable, Equatable {
    let candidateID: Int64
    let name: String
    let countyID: String
    let policyCode: String
    let policyName: String
    let points: Int
    let evidence: String
    let decision: String
    let reason: String?
}

enum BonusRefusals {
    static let noClaim = Refusal.notFound("bonus.no_claim", "该考生没有这项照顾加分申请")
    static let automatic = Refusal.conflict("bonus.automatic", "这项加分由数据自动认定，不需审核")
    static let noYear = Refusal.notFound("exam_year.none", "本年度报名尚未开放")
}
