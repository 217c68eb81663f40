import Access
import Foundation
import Hummingbird
import ServiceRuntime

/// Staff accounts (the 管理系统's users):
/// - `POST /staff/applications`: anyone applies for an account at a node (pending until approved);
/// - `GET /staff/applications`, `GET /staff/accounts`, `GET /staff/accounts/{id}`: administrators see
///   applications and accounts in their subtree;
/// - `POST /staff/applications/{id}/approve|reject`: an administrator whose subtree holds the node
///   binds it and assigns roles, or refuses with a reason;
/// - `POST /staff/session` (login), `DELETE /staff/session` (logout), `GET /staff/me`,
///   `POST /staff/me/password` (with the current password again).
struct StaffAccountRoutes: Sendable {
    let access: AccessControl
    let store: StaffAccountStore

    func add(to routes: ServiceRoutes) {
        routes.open.post("staff/applications", use: apply)
        routes.open.post("staff/session", use: login)
        routes.staff.get("staff/applications") { request, context in try await list(request, context, status: "pending") }
        routes.staff.get("staff/accounts") { request, context in try await list(request, context, status: nil) }
        routes.staff.get("staff/accounts/{id}", use: account)
        routes.staff.post("staff/applications/{id}/approve") { request, context in try await decide(request, context, approve: true) }
        routes.staff.post("staff/applications/{id}/reject") { request, context in try await decide(request, context, approve: false) }
        routes.staff.delete("staff/session", use: logout)
        routes.staff.get("staff/me", use: me)
        routes.staff.post("staff/me/password", use: changePassword)
    }

    struct Application: Decodable {
        let username: String
        let name: String
        let phone: String
        let password: String
        let nodeID: String
    }

    @Sendable func apply(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<[String: String]> {
        let input = try await JSONInput.decode(Application.self, from: request)
        try await access.throttle(AccessLimits.signUpPerAddress, subject: request.clientAddress)
        var validation = Validation()
        let username = input.username.lowercased()
        if username.range(of: "^[a-z0-9_]{4,32}$", options: .regularExpression) == nil {
            validation.add("username", "username.format", "用户名为 4-32 位小写字母、数字或下划线")
        }
        if let problem = ContactRules.nameProblem(input.name) { validation.add("name", problem.code, problem.message) }
        if let problem = ContactRules.mobileProblem(input.phone) { validation.add("phone", problem.code, problem.message) }
        if let problem = PasswordPolicy.problem(with: input.password, login: username) {
            validation.add("password", problem.code, problem.message)
        }
        let node = input.nodeID.count <= 32 ? try await store.node(input.nodeID) : nil
        if node == nil {
            validation.add("nodeID", "node.unknown", "没有这个单位")
        }
        try validation.check()
        let hash = try await access.passwords.hash(input.password)
        guard let id = try await store.apply(username: username, name: input.name, phone: input.phone, passwordHash: hash, nodeID: input.nodeID) else {
            throw APIError(.conflict, code: "username.taken", message: "该用户名已被使用", fields: [.init(field: "username", code: "username.taken", message: "该用户名已被使用")])
        }
        return JSONOutput(["id": String(id), "status": "pending"], status: .created)
    }

    @Sendable func list(_ request: Request, _ context: ExamRequestContext, status: String?) async throws -> JSONOutput<[StaffAccountView]> {
        let member = try context.staff
        guard member.managesStaff || member.roles.contains(.auditor) else { throw APIError.forbidden }
        return JSONOutput(try await store.accounts(under: member.nodePath, status: status))
    }

    @Sendable func account(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<StaffAccountView> {
        let member = try context.staff
        let id = try context.positiveID()
        let found = try await store.account(id)
        try await access.staff.requireScope(member, covers: found?.nodePath, action: "staff.read", target: .staff(id), request: request)
        guard let found else { throw APIError.notFound }
        return JSONOutput(found.view)
    }

    struct Decision: Decodable {
        let roles: [String]?
        let nodeID: String?
        let reason: String?
    }

    @Sendable func decide(_ request: Request, _ context: ExamRequestContext, approve: Bool) async throws -> JSONOutput<StaffAccountView> {
        let member = try context.staff
        let id = try context.positiveID()
        let input = try await JSONInput.decode(Decision.self, from: request)
        let action = approve ? "staff.approve" : "staff.reject"
        guard member.managesStaff else {
            try await access.audit.record(.staff(member), action: action, target: .staff(id), outcome: .denied, request: request)
            throw APIError.forbidden
        }
        let applied = try await store.account(id)
        try await access.staff.requireScope(member, covers: applied?.nodePath, action: action, target: .staff(id), request: request)
        guard let applied else { throw APIError.notFound }

        var validation = Validation()
        var roles: [StaffRole] = []
        var node = try await store.node(applied.view.nodeID)
        if approve {
            if let nodeID = input.nodeID {
                node = nodeID.count <= 32 ? try await store.node(nodeID) : nil
                if node == nil { validation.add("nodeID", "node.unknown", "没有这个单位") }
            }
            if let node, !member.covers(path: node.path) {
                try await access.audit.record(.staff(member), action: action, target: .staff(id), outcome: .denied, request: request)
                throw APIError.forbidden
            }
            // Only the province binds accounts at its own level; others bind below themselves.
            if let node, node.path == member.nodePath, !member.isProvinceAdministrator {
                validation.add("nodeID", "node.not_below", "只能为下级单位审批账号")
            }
            let names = input.roles ?? []
            roles = names.compactMap(StaffRole.init(rawValue:))
            if names.isEmpty {
                validation.add("roles", "required", "至少分配一个角色")
            } else if roles.count != names.count || names.count > StaffRole.allCases.count {
                validation.add("roles", "roles.unknown", "角色无效")
            } else if let node, let misfit = roles.first(where: { !$0.fits(node.kind) }) {
                validation.add("roles", "roles.node_kind", "角色 \(misfit.rawValue) 不适用于该级单位")
            }
        } else if (input.reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty || (input.reason ?? "").count > 200 {
            validation.add("reason", "required", "请填写退回原因（不超过 200 字）")
        }
        try validation.check()

        switch try await store.decide(
            id, approve: approve, roles: roles, nodeID: approve ? node?.id : nil, reason: input.reason, by: member,
            clientAddress: request.clientAddress)
        {
        case .missing: throw APIError.notFound
        case .notPending: throw APIError(.conflict, code: "application.decided", message: "该申请已处理")
        case .decided: break
        }
        guard let decided = try await store.account(id) else { throw APIError.notFound }
        return JSONOutput(decided.view)
    }

    struct Login: Decodable {
        let username: String
        let password: String
    }

    struct SignedIn: Encodable, Sendable {
        let csrfToken: String
        let staff: StaffAccountView
    }

    @Sendable func login(_ request: Request, _ context: ExamRequestContext) async throws -> Response {
        let input = try await JSONInput.decode(Login.self, from: request)
        let username = input.username.lowercased()
        guard username.count <= 32, input.password.count <= 256 else { throw Self.wrongCredentials }
        let credentials = try await store.credentials(username: username)
        let matches = try await access.checkLogin(
            account: "staff:\(username)", address: request.clientAddress, password: input.password, storedHash: credentials?.hash)
        guard matches, let credentials else { throw Self.wrongCredentials }
        guard credentials.active else { throw APIError(.forbidden, code: "account.not_active", message: "账号尚未审批通过或已停用") }
        let (session, cookie) = try await access.staff.sessions.begin(accountID: credentials.id, replacing: request)
        guard let account = try await store.account(credentials.id) else { throw APIError.unauthenticated }
        var response = try JSONOutput(SignedIn(csrfToken: session.csrfToken, staff: account.view)).response(from: request, context: context)
        response.setCookie(cookie)
        return response
    }

    static let wrongCredentials = APIError(.unauthorized, code: "login.failed", message: "用户名或密码错误")

    @Sendable func logout(_ request: Request, _ context: ExamRequestContext) async throws -> Response {
        let cookie = try await access.staff.sessions.end(request)
        var response = Response(status: .noContent)
        response.setCookie(cookie)
        return response
    }

    @Sendable func me(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<SignedIn> {
        guard let account = try await store.account(try context.staff.id), account.view.status == "active" else {
            throw APIError.unauthenticated
        }
        return JSONOutput(SignedIn(csrfToken: try context.staffSessionToken, staff: account.view))
    }

    struct PasswordChange: Decodable {
        let currentPassword: String
        let newPassword: String
    }

    /// Re-authentication first; then every session of the account ends, this one included.
    @Sendable func changePassword(_ request: Request, _ context: ExamRequestContext) async throws -> Response {
        let member = try context.staff
        let input = try await JSONInput.decode(PasswordChange.self, from: request)
        let matches = try await access.checkLogin(
            account: "staff:\(member.username)", address: request.clientAddress, password: input.currentPassword,
            storedHash: try await store.passwordHash(member.id))
        guard matches else {
            throw APIError(.forbidden, code: "reauthentication.failed", message: "当前密码不正确", fields: [.init(field: "currentPassword", code: "reauthentication.failed", message: "当前密码不正确")])
        }
        if let problem = PasswordPolicy.problem(with: input.newPassword, login: member.username) {
            throw APIError.invalid(field: "newPassword", code: problem.code, message: problem.message)
        }
        try await store.setPasswordHash(member.id, try await access.passwords.hash(input.newPassword))
        try await access.staff.sessions.endAll(accountID: member.id)
        var response = Response(status: .noContent)
        response.setCookie(try await access.staff.sessions.end(request))
        return response
    }
}
