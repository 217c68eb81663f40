/// The roles (角色) an administrator assigns to a staff account. What each may do is decided
/// here and nowhere else.
public enum StaffRole: String, Codable, Sendable, CaseIterable {
    case provinceAdministrator = "province_admin"
    case cityOfficer = "city_officer"
    case countyOfficer = "county_officer"
    case confirmationPointOperator = "point_operator"
    /// Reads everything in its subtree, changes nothing.
    case auditor

    /// The kind of node a role belongs to; an auditor may sit at any level.
    public func fits(_ kind: OrganisationNodeKind) -> Bool {
        switch self {
        case .provinceAdministrator: kind == .province
        case .cityOfficer: kind == .city
        case .countyOfficer: kind == .county
        case .confirmationPointOperator: kind == .confirmationPoint
        case .auditor: kind != .examSite
        }
    }

    /// Approves staff applications and binds staff to nodes within its subtree.
    public var managesStaff: Bool { self == .provinceAdministrator || self == .cityOfficer || self == .countyOfficer }

    /// Changes candidate data within its subtree (staff corrections, audited).
    public var changesCandidates: Bool { self != .auditor }
}

public enum OrganisationNodeKind: String, Codable, Sendable {
    case province
    case city
    case county
    case confirmationPoint = "confirmation_point"
    case examSite = "exam_site"
}
