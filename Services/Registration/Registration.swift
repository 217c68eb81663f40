import Access
import Hummingbird
import Messaging
import Payments
import ServiceRuntime
import ServiceLifecycle
import Settings

extension ServiceDefinition {
    /// Port 8101 unless HTTP_PORT says otherwise (ops/ and compose/ use the same number).
    public static let registration = ServiceDefinition(
        name: "Registration", defaultPort: 8101, addRoutes: RegistrationAPI.add, workers: RegistrationWorkers.workers)
}

/// Candidates' online registration (报名系统): accounts, personal data, choices, the pledge; and
/// the staff's view of candidate records, scoped to their subtree and audited.
public enum RegistrationAPI {
    public static func add(to router: Router<BasicRequestContext>, _ dependencies: Dependencies) throws {
        let access = try AccessControl(dependencies)
        let sms = try SMSSenderFactory.make(reader: dependencies.reader, logger: dependencies.logger)
        add(to: ServiceRoutes(router, access: access), dependencies, access: access, sms: sms)
    }

    /// With the access control and SMS sender given (tests read the codes it sends, and build
    /// several services' routes on one router).
    public static func add(to routes: ServiceRoutes, _ dependencies: Dependencies, access: AccessControl, sms: any SMSSender) {
        let accounts = CandidateAccountStore(postgres: dependencies.postgres, cipher: access.cipher, logger: dependencies.logger)
        CandidateAccountRoutes(
            access: access, store: accounts,
            resetCodes: VerificationCodes(redis: dependencies.redis, access: access, purpose: "reset"),
            loginCodes: VerificationCodes(redis: dependencies.redis, access: access, purpose: "login"), sms: sms
        ).add(to: routes)
        StaffCandidateRoutes(access: access, store: accounts).add(to: routes)
        FormCorrectionRoutes(
            access: access, accounts: accounts, check: SubmittedFormCheck(postgres: dependencies.postgres, cipher: access.cipher, logger: dependencies.logger)
        ).add(to: routes)
        let years = ExamYearStore(postgres: dependencies.postgres, logger: dependencies.logger)
        ExamYearRoutes(access: access, years: years).add(to: routes)
        RegistrationFormRoutes(
            access: access, store: RegistrationStore(postgres: dependencies.postgres, cipher: access.cipher, logger: dependencies.logger),
            years: years
        ).add(to: routes)
        AppointmentRoutes(access: access, store: AppointmentStore(postgres: dependencies.postgres, logger: dependencies.logger)).add(to: routes)
    }
}

/// The registration worker's queues: paper draft forms to import; candidates to tell by SMS.
public enum RegistrationWorkers {
    public static func workers(_ dependencies: Dependencies) throws -> [any Service] {
        let cipher = PersonalDataCipher(settings: try PersonalDataSettings(reader: dependencies.reader))
        let sms = try SMSSenderFactory.make(reader: dependencies.reader, logger: dependencies.logger)
        return [
            // One batch at a time per worker; a batch's rows are written in parallel lanes.
            QueueConsumer(
                queue: SystemQueues.paperFormImports, handler: try paperFormImporter(dependencies), concurrency: 1, batchSize: 1,
                settings: dependencies.settings.amqp, postgres: dependencies.postgres, logger: dependencies.logger),
            QueueConsumer(
                queue: SystemQueues.candidateNotices, handler: CandidateNoticeRecorder(), concurrency: 200, batchSize: 100, gather: .milliseconds(50),
                settings: dependencies.settings.amqp, postgres: dependencies.postgres, logger: dependencies.logger),
            CandidateNoticeSender(postgres: dependencies.postgres, cipher: cipher, sms: sms, logger: dependencies.logger),
        ]
    }

    public static func paperFormImporter(_ dependencies: Dependencies) throws -> some MessageHandler {
        let cipher = PersonalDataCipher(settings: try PersonalDataSettings(reader: dependencies.reader))
        let store = RegistrationStore(postgres: dependencies.postgres, cipher: cipher, logger: dependencies.logger)
        let years = ExamYearStore(postgres: dependencies.postgres, logger: dependencies.logger)
        return PaperFormImporter(
            postgres: dependencies.postgres, cipher: cipher, store: store, submissions: SubmissionCheck(store: store, years: years),
            logger: dependencies.logger)
    }
}
