import Access
import Foundation
import Hummingbird
import Logging
import ServiceRuntime

/// Candidate accounts (the 报名系统's users): the ID number is the login, one account per person.
/// - `POST /accounts` sign up; `POST /session` login; `DELETE /session` logout;
/// - `POST /session/code`: a login code to the registered phone, for the owner of an account whose
///   failed-login budget strangers spent (the login then carries the code and its challenge);
/// - `GET /me` and `GET /candidates/{id}` (one's own record only);
/// - `POST /password-reset/code` sends a code to the registered phone; `POST /password-reset` uses it;
/// - `POST /me/password`, `POST /me/phone`: with the current password again.
struct CandidateAccountRoutes: Sendable {
    let access: AccessControl
    let store: CandidateAccountStore
    let resetCodes: VerificationCodes
    /// Login codes, each bound to the challenge handed to whoever asked for it: a stranger's
    /// wrong guesses spend only their own challenges, never the owner's.
    let loginCodes: VerificationCodes
    let sms: any SMSSender

    func add(to routes: ServiceRoutes) {
        routes.open.post("accounts", use: signUp)
        routes.open.post("session", use: login)
        routes.open.post("session/code", use: sendLoginCode)
        routes.open.post("password-reset/code", use: sendResetCode)
        routes.open.post("password-reset", use: resetPassword)
        routes.candidate.delete("session", use: logout)
        routes.candidate.get("me") { request, context in try await ownRecord(request, context, id: nil) }
        routes.candidate.get("candidates/{id}") { request, context in try await ownRecord(request, context, id: context.parameters.get("id")) }
        routes.candidate.post("me/password", use: changePassword)
        routes.candidate.post("me/phone", use: changePhone)
    }

    struct SignUp: Decodable {
        let documentType: IdentityDocumentType
        let documentNumber: String
        let name: String
        let phone: String
        let password: String
        let countyID: String
    }

    @Sendable func signUp(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<CandidateAccountView> {
        let input = try await JSONInput.decode(SignUp.self, from: request)
        try await access.throttle(AccessLimits.signUpPerAddress, subject: request.clientAddress)
        var validation = Validation()
        let document = Self.document(input.documentType, input.documentNumber, &validation)
        let name = validation.text(input.name, field: "name", length: 1...30)
        if let name, let problem = ContactRules.nameProblem(name) { validation.add("name", problem.code, problem.message) }
        if let problem = ContactRules.mobileProblem(input.phone) { validation.add("phone", problem.code, problem.message) }
        if let problem = PasswordPolicy.problem(with: input.password, login: input.documentNumber) {
            validation.add("password", problem.code, problem.message)
        }
        let isCounty = input.countyID.count <= 32 ? try await store.isCounty(input.countyID) : false
        if !isCounty {
            validation.add("countyID", "county.unknown", "请选择报名所在县（市、区）")
        }
        try validation.check()
        guard let document, let name else { throw APIError.invalid(validation.errors) }

        let hash = try await access.passwords.hash(input.password)
        guard let id = try await store.signUp(.init(document: document, name: name, phone: input.phone, passwordHash: hash, countyID: input.countyID)) else {
            throw APIError(
                .conflict, code: "account.exists", message: "该证件号码已注册。如忘记密码，请使用“找回密码”通过注册手机重设。",
                fields: [.init(field: "documentNumber", code: "account.exists", message: "该证件号码已注册，请找回密码")])
        }
        guard let created = try await store.account(id) else { throw APIError.notFound }
        return JSONOutput(created.view, status: .created)
    }

    struct Login: Decodable {
        let documentType: IdentityDocumentType?
        let documentNumber: String
        let password: String
        /// Needed only once the account's failed-login budget is spent: the code sent to the
        /// registered phone (`POST /session/code`) and the challenge that request answered.
        let code: String?
        let challenge: String?
    }

    struct SignedIn: Encodable, Sendable {
        let csrfToken: String
        let candidate: CandidateAccountView
    }

    @Sendable func login(_ request: Request, _ context: ExamRequestContext) async throws -> Response {
        let input = try await JSONInput.decode(Login.self, from: request)
        guard input.password.count <= 256,
            case .success(let document) = IdentityDocument.validate(type: input.documentType ?? .residentID, number: input.documentNumber)
        else { throw Self.wrongCredentials }
        let subject = access.accountSubject(Self.login(document))
        // The code first, before the password is checked: a guess at the password never gets
        // past a spent budget without the owner's phone.
        var ownerVerified = false
        if input.code != nil || input.challenge != nil {
            guard let code = input.code, let challenge = input.challenge, Self.isChallenge(challenge),
                try await loginCodes.consume(code, for: subject + ":" + challenge)
            else { throw APIError.invalid(field: "code", code: "code.wrong", message: "验证码不正确或已过期") }
            ownerVerified = true
        }
        let credentials = try await store.credentials(document)
        let judgement = try await access.judgeLogin(
            account: Self.login(document), address: request.clientAddress, password: input.password, storedHash: credentials?.hash ?? nil,
            ownerVerified: ownerVerified)
        switch judgement {
        case .matched: break
        case .wrongPassword(let accountLocked):
            if accountLocked, let credentials { await noticeLockout(credentials.id, subject: subject) }
            throw Self.wrongCredentials
        case .accountLocked(let retryAfter):
            throw APIError.rateLimited(
                retryAfter: retryAfter, code: "login.code_required", message: "该账号近期登录失败次数过多。为保护账号安全，请获取短信验证码，用注册手机收到的验证码登录")
        }
        guard let credentials else { throw Self.wrongCredentials }
        let (session, cookie) = try await access.candidateSessions.begin(accountID: credentials.id, replacing: request)
        guard let account = try await store.account(credentials.id) else { throw APIError.unauthenticated }
        var response = try JSONOutput(SignedIn(csrfToken: session.csrfToken, candidate: account.view)).response(from: request, context: context)
        response.setCookie(cookie)
        return response
    }

    /// Tells the owner, at most once an hour, that strangers spent the account's login budget and
    /// how they themselves still get in. A failure to send is logged, never answered.
    private func noticeLockout(_ candidateID: Int64, subject: String) async {
        do {
            guard try await access.limiter.check(AccessLimits.lockoutNoticePerAccount, subject: subject).allowed,
                let phone = try await store.phone(candidateID)
            else { return }
            try await sms.send("【成人高考报名】您的报名账号近期多次被输入错误密码，已暂停仅凭密码登录。本人登录时请按提示获取短信验证码。如非本人操作，建议登录后修改密码。", to: phone)
        } catch {
            access.logger.warning("lockout notice not sent", metadata: ["error": "\(type(of: error))"])
        }
    }

    struct LoginCodeSent: Encodable, Sendable {
        let message: String
        /// Send back with the code in the login.
        let challenge: String
    }

    /// Always 202 with a challenge, whether or not the account exists (the answer must not tell a
    /// stranger who is registered); the code goes to the phone on the account, charged to the
    /// same budgets as password-reset codes.
    @Sendable func sendLoginCode(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<LoginCodeSent> {
        let (subject, phone) = try await codeRecipient(request)
        let challenge = randomHex(bytes: 16)
        if let phone {
            let code = try await loginCodes.issue(for: subject + ":" + challenge)
            try await sendCode(code, to: phone, purpose: "登录")
        }
        return JSONOutput(LoginCodeSent(message: "如该证件号码已注册，验证码已发送至注册手机", challenge: challenge), status: .accepted)
    }

    static func isChallenge(_ text: String) -> Bool {
        text.utf8.count == 32 && text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }

    private func sendCode(_ code: String, to phone: String, purpose: String) async throws {
        do {
            try await sms.send("【成人高考报名】您的\(purpose)验证码为 \(code)，10 分钟内有效。请勿告诉他人。", to: phone)
        } catch {
            access.logger.error("SMS not sent", metadata: ["error": "\(type(of: error))"])
            throw APIError(.badGateway, code: "sms.failed", message: "短信发送失败，请稍后再试")
        }
    }

    static let wrongCredentials = APIError(.unauthorized, code: "login.failed", message: "证件号码或密码错误")

    @Sendable func logout(_ request: Request, _ context: ExamRequestContext) async throws -> Response {
        var response = Response(status: .noContent)
        response.setCookie(try await access.candidateSessions.end(request))
        return response
    }

    /// A candidate reads only their own record: any other id is "not found", exactly as for an
    /// id that does not exist, so probing ids tells nothing.
    @Sendable func ownRecord(_ request: Request, _ context: ExamRequestContext, id: String?) async throws -> JSONOutput<SignedIn> {
        let session = try context.candidate
        if let id, Int64(id) != session.accountID { throw APIError.notFound }
        guard let account = try await store.account(session.accountID) else { throw APIError.unauthenticated }
        return JSONOutput(SignedIn(csrfToken: session.csrfToken, candidate: account.view))
    }

    struct ResetCodeRequest: Decodable {
        let documentType: IdentityDocumentType?
        let documentNumber: String
    }

    /// Always 202 with the same text, whether or not the account exists: the answer must not
    /// tell a stranger who is registered. The code goes to the phone on the account.
    @Sendable func sendResetCode(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<[String: String]> {
        let (subject, phone) = try await codeRecipient(request)
        if let phone {
            let code = try await resetCodes.issue(for: subject)
            try await sendCode(code, to: phone, purpose: "重设密码")
        }
        return JSONOutput(["message": "如该证件号码已注册，验证码已发送至注册手机"], status: .accepted)
    }

    /// Who a code is asked for (`{documentType?, documentNumber}`): the account's Redis subject,
    /// and the registered phone if there is such an account. Charged to the code budgets of the
    /// asking address and of the account, whether or not it exists.
    private func codeRecipient(_ request: Request) async throws -> (subject: String, phone: String?) {
        let input = try await JSONInput.decode(ResetCodeRequest.self, from: request)
        var validation = Validation()
        let document = Self.document(input.documentType ?? .residentID, input.documentNumber, &validation)
        try validation.check()
        guard let document else { throw APIError.invalid(validation.errors) }
        let subject = access.accountSubject(Self.login(document))
        try await access.throttle(AccessLimits.codesPerAddress, subject: request.clientAddress)
        try await access.throttle(AccessLimits.codesPerAccount, subject: subject)
        guard let account = try await store.credentials(document) else { return (subject, nil) }
        return (subject, try await store.phone(account.id))
    }

    struct PasswordReset: Decodable {
        let documentType: IdentityDocumentType?
        let documentNumber: String
        let code: String
        let newPassword: String
    }

    @Sendable func resetPassword(_ request: Request, _ context: ExamRequestContext) async throws -> Response {
        let input = try await JSONInput.decode(PasswordReset.self, from: request)
        var validation = Validation()
        let document = Self.document(input.documentType ?? .residentID, input.documentNumber, &validation)
        if input.code.count != 6 || !input.code.allSatisfy(\.isASCII) || !input.code.allSatisfy(\.isNumber) {
            validation.add("code", "code.format", "验证码为 6 位数字")
        }
        if let problem = PasswordPolicy.problem(with: input.newPassword, login: input.documentNumber) {
            validation.add("newPassword", problem.code, problem.message)
        }
        try validation.check()
        guard let document else { throw APIError.invalid(validation.errors) }
        let subject = access.accountSubject(Self.login(document))
        guard try await resetCodes.consume(input.code, for: subject), let account = try await store.credentials(document) else {
            throw APIError.invalid(field: "code", code: "code.wrong", message: "验证码不正确或已过期")
        }
        try await store.setPasswordHash(account.id, try await access.passwords.hash(input.newPassword))
        try await access.candidateSessions.endAll(accountID: account.id)
        return Response(status: .noContent)
    }

    struct PasswordChange: Decodable {
        let currentPassword: String
        let newPassword: String
    }

    @Sendable func changePassword(_ request: Request, _ context: ExamRequestContext) async throws -> Response {
        let session = try context.candidate
        let input = try await JSONInput.decode(PasswordChange.self, from: request)
        let account = try await reauthenticate(session, password: input.currentPassword, request: request)
        if let problem = PasswordPolicy.problem(with: input.newPassword, login: "") {
            throw APIError.invalid(field: "newPassword", code: problem.code, message: problem.message)
        }
        try await store.setPasswordHash(account.id, try await access.passwords.hash(input.newPassword))
        try await access.candidateSessions.endAll(accountID: account.id)
        var response = Response(status: .noContent)
        response.setCookie(try await access.candidateSessions.end(request))
        return response
    }

    struct PhoneChange: Decodable {
        let currentPassword: String
        let phone: String
    }

    @Sendable func changePhone(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<CandidateAccountView> {
        let session = try context.candidate
        let input = try await JSONInput.decode(PhoneChange.self, from: request)
        if let problem = ContactRules.mobileProblem(input.phone) {
            throw APIError.invalid(field: "phone", code: problem.code, message: problem.message)
        }
        let account = try await reauthenticate(session, password: input.currentPassword, request: request)
        try await store.setPhone(account.id, input.phone, audit: (.candidate(account.id), request.clientAddress))
        guard let changed = try await store.account(account.id) else { throw APIError.notFound }
        return JSONOutput(changed.view)
    }

    /// The current password again, counted like a login (a stolen session cannot guess it).
    private func reauthenticate(_ session: AccountSession, password: String, request: Request) async throws -> CandidateAccountView {
        guard let account = try await store.account(session.accountID)?.view else { throw APIError.unauthenticated }
        let matches = try await access.checkLogin(
            account: "candidate-reauth:\(account.id)", address: request.clientAddress, password: password,
            storedHash: try await store.passwordHash(account.id))
        guard matches else {
            throw APIError(
                .forbidden, code: "reauthentication.failed", message: "当前密码不正确",
                fields: [.init(field: "currentPassword", code: "reauthentication.failed", message: "当前密码不正确")])
        }
        return account
    }

    static func login(_ document: IdentityDocument) -> String { "candidate:\(document.type.rawValue):\(document.number)" }

    static func document(_ type: IdentityDocumentType, _ number: String, _ validation: inout Validation) -> IdentityDocument? {
        switch IdentityDocument.validate(type: type, number: number) {
        case .success(let document): return document
        case .failure(let problem):
            validation.add("documentNumber", problem.code, problem.message)
            return nil
        }
    }
}
