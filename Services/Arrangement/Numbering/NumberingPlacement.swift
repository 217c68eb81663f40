import Foundation

/// What a numbering run reads besides the roster: the year's examination (its groups, seats per
/// room, the remainder rule), the cities' scope rules and each district's approved capacity.
struct NumberingInputs: Sendable {
    struct Examination: Codable, Sendable, Equatable {
        struct Group: Codable, Sendable, Equatable {
            let code: String
            let level: String
            let subjectCategory: String
        }
        let groups: [Group]
        let seatsPerRoom: Int
        let mixRemainders: Bool
    }

    /// 参考范围: a county's candidates of `examGroup` (`all`: of every group) sit in `districtCode`.
    struct ScopeRule: Codable, Sendable, Equatable {
        let countyID: String
        let examGroup: String
        let districtCode: String
    }

    /// A district's approved, open sites together.
    struct Capacity: Sendable, Equatable {
        var rooms = 0
        var seats = 0
    }

    var examination: Examination?
    var scopeRules: [ScopeRule]
    var capacity: [String: Capacity]

    /// What a run records of its inputs (with its seed): enough to redo it from the roster.
    struct Recorded: Codable, Sendable, Equatable {
        let examination: Examination?
        let scopeRules: [ScopeRule]
    }
}

/// A paid, non-exempt candidate of the year as the roster gives them: their id, candidate number,
/// and what places them (county, level, subject category), which many candidates share.
struct RosterEntry: Sendable {
    struct Kind: Hashable, Sendable {
        let countyID: String
        let level: String
        let subjectCategory: String
    }

    let id: Int64
    let number: String
    let kind: Kind
}

/// Something that stops a numbering run, with the candidates it concerns counted and a few of
/// their candidate numbers shown, so that the city knows which rule to add or remove.
struct NumberingProblem: Codable, Sendable, Equatable {
    let code: String
    let message: String
    var countyID: String?
    var examGroup: String?
    var districtCode: String?
    var candidates: Int
    var examples: [String]
}

/// Places each candidate in an exam group and a district, or lists every problem: a level and
/// subject category no group takes, a county and group no scope rule covers or two rules cover,
/// a district with fewer approved seats than candidates. Each kind of candidate (county, level,
/// category) is judged once.
enum NumberingPlacement {
    static let examplesShown = 5

    /// Where a kind of candidate goes, or the problem (by its key in the list) that stops them.
    private enum Outcome {
        case seat(district: String, group: String)
        case problem(String)
    }

    static func place(_ roster: [RosterEntry], _ inputs: NumberingInputs) -> (candidates: [Numbering.Candidate], problems: [NumberingProblem]) {
        guard let examination = inputs.examination else {
            return ([], [NumberingProblem(code: "examination.missing", message: "本年度尚未设置考试科类组和考场规则", candidates: roster.count, examples: [])])
        }
        var groupOf: [String: String] = [:]
        for group in examination.groups { groupOf["\(group.level)/\(group.subjectCategory)"] = group.code }
        var rulesOf: [String: [String]] = [:]
        for rule in inputs.scopeRules { rulesOf["\(rule.countyID)/\(rule.examGroup)", default: []].append(rule.districtCode) }

        // Keyed by what the problem is about, so that each is listed once with its count.
        var problems: [String: NumberingProblem] = [:]
        func judge(_ kind: RosterEntry.Kind) -> Outcome {
            let levelAndCategory = "\(kind.level)/\(kind.subjectCategory)"
            guard let group = groupOf[levelAndCategory] else {
                let key = "group/\(levelAndCategory)"
                problems[key] = problems[key]
                    ?? NumberingProblem(code: "group.unknown", message: "报考层次和科类（\(levelAndCategory)）不属于本年度任何考试科类组", candidates: 0, examples: [])
                return .problem(key)
            }
            let covering = (rulesOf["\(kind.countyID)/\(group)"] ?? []) + (rulesOf["\(kind.countyID)/all"] ?? [])
            if covering.count == 1 { return .seat(district: covering[0], group: group) }
            let key = "\(covering.isEmpty ? "uncovered" : "overlapping")/\(kind.countyID)/\(group)"
            problems[key] = problems[key]
                ?? (covering.isEmpty
                    ? NumberingProblem(
                        code: "scope.uncovered", message: "该县市区本科类组的考生没有参考范围", countyID: kind.countyID, examGroup: group, candidates: 0, examples: [])
                    : NumberingProblem(
                        code: "scope.overlapping", message: "该县市区本科类组的考生被多条参考范围覆盖（考区 \(covering.sorted().joined(separator: "、"))）",
                        countyID: kind.countyID, examGroup: group, candidates: 0, examples: []))
            return .problem(key)
        }

        var outcomes: [RosterEntry.Kind: Outcome] = [:]
        var candidates: [Numbering.Candidate] = []
        candidates.reserveCapacity(roster.count)
        var perDistrict: [String: Int] = [:]
        for entry in roster {
            let outcome: Outcome
            if let known = outcomes[entry.kind] {
                outcome = known
            } else {
                outcome = judge(entry.kind)
                outcomes[entry.kind] = outcome
            }
            switch outcome {
            case .seat(let district, let group):
                perDistrict[district, default: 0] += 1
                candidates.append(Numbering.Candidate(id: entry.id, number: entry.number, district: district, group: group))
            case .problem(let key):
                problems[key]!.candidates += 1
                if problems[key]!.examples.count < examplesShown { problems[key]!.examples.append(entry.number) }
            }
        }
        for (district, count) in perDistrict {
            let seats = inputs.capacity[district]?.seats ?? 0
            if seats < count {
                problems["seats/\(district)"] = NumberingProblem(
                    code: "district.seats", message: "考区已审定考点座位 \(seats) 个，少于考生 \(count) 人", districtCode: district, candidates: count,
                    examples: [])
            }
        }
        return (candidates, problems.values.sorted { ($0.code, $0.districtCode ?? "", $0.countyID ?? "", $0.examGroup ?? "") < ($1.code, $1.districtCode ?? "", $1.countyID ?? "", $1.examGroup ?? "") })
    }

    /// Rooms the run made beyond what a district's approved sites offer (partial rooms count whole).
    static func roomProblems(_ rooms: [Numbering.Room], _ inputs: NumberingInputs) -> [NumberingProblem] {
        let needed = Dictionary(grouping: rooms, by: \.district).mapValues(\.count)
        return needed.keys.sorted().compactMap { district in
            let offered = inputs.capacity[district]?.rooms ?? 0
            guard needed[district]! > offered else { return nil }
            return NumberingProblem(
                code: "district.rooms", message: "考区需要考场 \(needed[district]!) 个，已审定考点只提供 \(offered) 个", districtCode: district,
                candidates: rooms.filter { $0.district == district }.reduce(0) { $0 + $1.seats }, examples: [])
        }
    }
}
