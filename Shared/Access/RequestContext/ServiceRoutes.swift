import Hummingbird
import ServiceRuntime
import Settings

/// The three doors of a service's API. A feature adds each route through the door its callers
/// come by: `open` (anyone: sign-up, login, providers' callbacks), `candidate` (a signed-in
/// candidate, 401 otherwise) or `staff` (a signed-in, active staff member). The doors check the
/// session (and its CSRF token on state-changing requests) before the handler runs.
public struct ServiceRoutes {
    public let open: RouterGroup<ExamRequestContext>
    public let candidate: RouterGroup<ExamRequestContext>
    public let staff: RouterGroup<ExamRequestContext>

    /// Also refuses cross-site state-changing requests before any route runs. One per router
    /// (tests put several services' routes on one).
    public init(_ router: Router<BasicRequestContext>, access: AccessControl) {
        router.add(middleware: OriginCheckMiddleware(allowedOrigins: access.sessionSettings.allowedOrigins))
        open = router.group(context: ExamRequestContext.self)
        candidate = router.group(context: ExamRequestContext.self).add(middleware: CandidateDoor(sessions: access.candidateSessions))
        staff = router.group(context: ExamRequestContext.self).add(middleware: StaffDoor(staff: access.staff))
    }
}

/// Lets a request through only with a live candidate session.
struct CandidateDoor: RouterMiddleware {
    let sessions: SessionManager

    func handle(_ request: Request, context: ExamRequestContext, next: (Request, ExamRequestContext) async throws -> Response) async throws -> Response {
        var context = context
        context.signedInCandidate = try await sessions.require(request)
        return try await next(request, context)
    }
}

/// Lets a request through only with a live staff session whose account is still active.
struct StaffDoor: RouterMiddleware {
    let staff: StaffGuard

    func handle(_ request: Request, context: ExamRequestContext, next: (Request, ExamRequestContext) async throws -> Response) async throws -> Response {
        var context = context
        let session = try await staff.sessions.require(request)
        guard let member = try await staff.directory.member(id: session.accountID) else { throw APIError.unauthenticated }
        context.staffSession = session
        context.signedInStaff = member
        return try await next(request, context)
    }
}
