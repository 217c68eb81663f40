import Hummingbird
import ServiceRuntime

/// The context every feature route sees: Hummingbird's own, plus who is signed in. The signed-in
/// account is filled by the door the route was added through (`ServiceRoutes.candidate`,
/// `.staff`), never by the handler, which asks `context.candidate` or `context.staff`.
public struct ExamRequestContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    var signedInCandidate: AccountSession?
    var signedInStaff: StaffMember?
    var staffSession: AccountSession?

    /// Everything Hummingbird knows already (the path's parameters, the logger) carries over.
    public init(context: BasicRequestContext) {
        coreContext = context.coreContext
    }

    /// The candidate's session (its `accountID` is the candidate's id). Asked on a route added
    /// through another door it is 401, as for a stranger.
    public var candidate: AccountSession {
        get throws(APIError) {
            guard let signedInCandidate else { throw .unauthenticated }
            return signedInCandidate
        }
    }

    /// The staff member, active and loaded for this request.
    public var staff: StaffMember {
        get throws(APIError) {
            guard let signedInStaff else { throw .unauthenticated }
            return signedInStaff
        }
    }

    /// The staff member's session (its CSRF token, for `GET /staff/me`).
    public var staffSessionToken: String {
        get throws(APIError) {
            guard let staffSession else { throw .unauthenticated }
            return staffSession.csrfToken
        }
    }

    /// A positive whole-number path parameter (`/staff/candidates/{id}`), or a 422 naming it.
    public func positiveID(_ name: String = "id") throws(APIError) -> Int64 {
        guard let raw = parameters.get(name), raw.count <= 18, let id = Int64(raw), id > 0 else {
            throw APIError.invalid(field: name, code: "\(name).format", message: "编号格式不正确")
        }
        return id
    }
}
