/// Where an application for exemption from the exam (免试入学) stands: applied, the city's first
/// review, the province's decision. Candidates read it in their status view; staff in the lists.
public enum ExemptionStage: String, Codable, Sendable, CaseIterable {
    case applied
    case cityPassed = "city_passed"
    case cityRefused = "city_refused"
    case approved
    case refused

    public var name: String {
        switch self {
        case .applied: "已申请，待市级初审"
        case .cityPassed: "市级初审通过，待省级审定"
        case .cityRefused: "市级初审未通过，须参加考试"
        case .approved: "省级审定通过，免试入学"
        case .refused: "省级审定未通过，须参加考试"
        }
    }
}
