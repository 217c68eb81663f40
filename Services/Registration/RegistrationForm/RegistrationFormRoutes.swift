import Access
import CandidateLifecycle
import Contracts
import Foundation
import Hummingbird
import PostgresNIO
import ServiceRuntime

/// The candidate's registration (报名): save a draft, sign the pledge, choose a point, submit,
/// and see where things stand.
/// - `GET /registration`, `PUT /registration` (a draft: incomplete is fine), `POST /registration/submit`;
/// - `GET /pledge`, `POST /registration/pledge`; `GET /confirmation-points`; `GET /registration/status`.
struct RegistrationFormRoutes: Sendable {
    let access: AccessControl
    let store: RegistrationStore
    let years: ExamYearStore
    var submissions: SubmissionCheck { SubmissionCheck(store: store, years: years) }

    func add(to routes: ServiceRoutes) {
        routes.open.get("pledge", use: pledge)
        routes.candidate.get("registration", use: load)
        routes.candidate.put("registration", use: saveDraft)
        routes.candidate.post("registration/submit", use: submit)
        routes.candidate.post("registration/pledge", use: signPledge)
        routes.candidate.get("confirmation-points", use: points)
        routes.candidate.get("registration/status", use: status)
    }

    @Sendable func load(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<SavedRegistration> {
        let session = try context.candidate
        let year = try await currentYear()
        return JSONOutput(try await store.load(session.accountID) ?? SavedRegistration(form: .init(), year: year.year, revision: 0))
    }

    @Sendable func saveDraft(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<SavedRegistration> {
        let session = try context.candidate
        try await access.throttle(AccessLimits.formsPerAccount, subject: "candidate:\(session.accountID)")
        let form = try await JSONInput.decode(RegistrationForm.self, from: request)
        try await checkDraft(form)
        let year = try await currentYear()
        try await store.save(session.accountID, year: year.year, form: form)
        return JSONOutput(try await store.load(session.accountID) ?? SavedRegistration(form: form, year: year.year, revision: 1))
    }

    struct Submitted: Encodable, Sendable {
        let status: String
        let revision: Int
        /// Said when the submission changed the confirmation point and so gave back the seat
        /// booked at the old one.
        let notice: String?
    }

    /// Checks everything; a form with problems is kept as a draft (nothing typed is lost) and
    /// the problems are answered, each naming its field.
    @Sendable func submit(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<Submitted> {
        let session = try context.candidate
        try await access.throttle(AccessLimits.formsPerAccount, subject: "candidate:\(session.accountID)")
        let form = try await JSONInput.decode(RegistrationForm.self, from: request)
        let year = try await currentYear()
        let ruleContext = try await ruleContext(for: session.accountID, form: form, year: year)
        let problems = RegistrationRules.check(form, ruleContext)
        guard problems.isEmpty else {
            if (try? await checkDraft(form)) != nil { try await store.save(session.accountID, year: year.year, form: form) }
            throw APIError.invalid(problems)
        }
        let choices = SubmissionCheck.eventChoices(ruleContext)
        let saved = try await store.save(
            session.accountID, year: year.year, form: form, submission: .init(clientAddress: request.clientAddress), choices: choices)
        let notice = saved.releasedAppointment ? "您更换了报名确认点，原确认点的预约已取消，请预约新确认点的现场确认时段" : nil
        return JSONOutput(Submitted(status: "submitted", revision: saved.revision ?? 0, notice: notice))
    }

    struct PledgeText: Encodable, Sendable {
        let version: String
        let text: String
    }

    @Sendable func pledge(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<PledgeText> {
        let year = try await currentYear()
        return JSONOutput(PledgeText(version: year.pledge.version, text: year.pledge.text))
    }

    struct Signature: Decodable {
        let version: String
    }

    @Sendable func signPledge(_ request: Request, _ context: ExamRequestContext) async throws -> Response {
        let session = try context.candidate
        let input = try await JSONInput.decode(Signature.self, from: request)
        let year = try await currentYear()
        guard input.version == year.pledge.version else {
            throw APIError.invalid(field: "version", code: "pledge.version", message: "承诺书已更新，请重新阅读后签署")
        }
        try await store.signPledge(session.accountID, year: year.year, version: input.version)
        return Response(status: .noContent)
    }

    @Sendable func points(_ request: Request, _ context: ExamRequestContext) async throws -> EncodedJSON {
        let session = try context.candidate
        guard let city = try await store.registeringCity(session.accountID) else { throw APIError.unauthenticated }
        return try await store.pointsJSON(city: city)
    }

    struct StatusView: Encodable, Sendable {
        let status: String
        let statusName: String
        /// What still stops a submission (empty once everything is in order).
        let problems: [FieldError]
        let confirmationPoint: ConfirmationPointOption?
        let nextStep: String
        /// Submitted, then edited without submitting again: the point confirms the submitted form.
        let unsubmittedChanges: Bool
        /// The application for exemption from the exam, if any, and where its review stands.
        let exemption: ExemptionView?
        /// Until the candidate has submitted: when registration opens for their city (the
        /// calendar may stagger cities), so the page can say when to come back.
        let registrationOpens: Date?
    }

    struct ExemptionView: Encodable, Sendable {
        let stage: String
        let stageName: String
        let refusalReason: String?
    }

    @Sendable func status(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<StatusView> {
        let session = try context.candidate
        guard let status = try await store.status(session.accountID).flatMap(CandidateStatus.init(rawValue:)) else { throw APIError.unauthenticated }
        let year = try await currentYear()
        let working = try await store.load(session.accountID)
        let edited = working?.unsubmittedChanges ?? false
        let form = working?.form ?? RegistrationForm()
        let ruleContext = status == .registered || edited ? try await ruleContext(for: session.accountID, form: form, year: year) : nil
        let problems = ruleContext.map { RegistrationRules.check(form, $0) } ?? []
        // The point that counts is the submitted form's.
        let submitted = edited ? try await store.load(session.accountID, .submitted)?.form : form
        var point: ConfirmationPointOption?
        if let id = submitted?.confirmationPointID, id.count <= 32 { point = try await store.points(id: id).first }
        let exemption = try await store.exemption(of: session.accountID)
        let next = switch status {
        case .registered: problems.isEmpty ? "请提交报名信息" : "请按提示补全报名信息后提交"
        case .submitted where edited:
            "您修改了报名信息但尚未重新提交，现场确认以上次提交的信息为准；如需采用修改，请" + (problems.isEmpty ? "重新提交" : "按提示改正后重新提交")
        case .submitted: "请在规定时间内携带身份证到所选报名确认点办理现场确认"
        case .pendingCityReview: "您的证件正在等待市级招考机构审核，审核结果将在此显示"
        case .confirmed: "请在缴费截止前完成网上缴费"
        case .paid where exemption?.stage == .applied || exemption?.stage == .cityPassed: "免试入学申请审核中，请留意审核结果；未获批准的须参加考试"
        case .paid: "请在规定时间内打印准考证"
        case .exempt: "请留意录取通知"
        case .invalid: "如有疑问请联系报名确认点"
        }
        return JSONOutput(
            StatusView(
                status: status.rawValue, statusName: status.name, problems: problems, confirmationPoint: point, nextStep: next,
                unsubmittedChanges: edited,
                exemption: exemption.map { ExemptionView(stage: $0.stage.rawValue, stageName: $0.stage.name, refusalReason: $0.refusalReason) },
                registrationOpens: status == .registered ? ruleContext.map { year.calendar.registrationOpens(forCity: $0.registeringCity) } : nil))
    }

    private func ruleContext(for candidateID: Int64, form: RegistrationForm, year: ExamYearDocument) async throws -> RuleContext {
        guard let (account, city, pledgeVersion) = try await store.submissionBasis(candidateID) else { throw APIError.unauthenticated }
        return try await submissions.context(document: account, registeringCity: city, pledgeVersion: pledgeVersion, form: form, year: year)
    }

    /// What even a draft must be: within its limits, and naming a point that exists if any.
    private func checkDraft(_ form: RegistrationForm) async throws {
        var problems = form.draftProblems()
        if problems.isEmpty, let id = form.confirmationPointID, try await store.points(id: id).isEmpty {
            problems.append(FieldError(field: "confirmationPointID", code: "confirmation_point.unknown", message: "没有这个报名确认点"))
        }
        guard problems.isEmpty else { throw APIError.invalid(problems) }
    }

    private func currentYear() async throws -> ExamYearDocument {
        guard let year = try await years.current() else { throw RegistrationRefusal.noYear }
        return year
    }
}
