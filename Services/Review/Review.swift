import Access
import Hummingbird
import Messaging
import ServiceLifecycle
import ServiceRuntime
import Settings

extension ServiceDefinition {
    /// Port 8104 unless HTTP_PORT says otherwise (ops/ and compose/ use the same number).
    public static let review = ServiceDefinition(name: "Review", defaultPort: 8104, addRoutes: ReviewAPI.add, workers: ReviewWorkers.workers)
}

/// Staff reviews: staff accounts (applications approved by the parent node), points, exemptions,
/// bonus-point claims, reports up the tree.
public enum ReviewAPI {
    public static func add(to router: Router<BasicRequestContext>, _ dependencies: Dependencies) throws {
        let access = try AccessControl(dependencies)
        add(to: ServiceRoutes(router, access: access), dependencies, access: access)
    }

    /// With the access control given (tests build several services' routes on one router).
    public static func add(to routes: ServiceRoutes, _ dependencies: Dependencies, access: AccessControl) {
        StaffAccountRoutes(access: access, store: StaffAccountStore(postgres: dependencies.postgres, cipher: access.cipher, logger: dependencies.logger))
            .add(to: routes)
        StatisticsRoutes(access: access, store: StatisticsStore(postgres: dependencies.postgres, logger: dependencies.logger)).add(to: routes)
        let exemptions = ExemptionStore(postgres: dependencies.postgres, logger: dependencies.logger)
        ExemptionRoutes(access: access, store: exemptions).add(to: routes)
        BonusReviewRoutes(access: access, store: BonusReviewStore(postgres: dependencies.postgres, logger: dependencies.logger)).add(to: routes)
        DataReportRoutes(
            access: access, store: DataReportStore(postgres: dependencies.postgres, logger: dependencies.logger),
            export: ReportExport(postgres: dependencies.postgres, cipher: access.cipher, logger: dependencies.logger)
        ).add(to: routes)
        ExemptionReviewRoutes(access: access, store: ExemptionReviewStore(postgres: dependencies.postgres, logger: dependencies.logger), applications: exemptions)
            .add(to: routes)
    }
}

/// The Review worker's queues: the candidate events it counts, the fold of those counts, and the
/// confirmed candidates it awards automatic bonus points.
public enum ReviewWorkers {
    public static func workers(_ dependencies: Dependencies) throws -> [any Service] {
        [
            // Events in batches of up to 100 per transaction, gathered for up to 50 ms: marks are
            // appended, so batches never wait on each other.
            QueueConsumer(
                queue: SystemQueues.candidateStatistics, handler: CandidateStatisticsRecorder(), concurrency: 200, batchSize: 100,
                gather: .milliseconds(50),
                settings: dependencies.settings.amqp, postgres: dependencies.postgres, logger: dependencies.logger),
            CandidateStatisticsFolder(postgres: dependencies.postgres, logger: dependencies.logger),
            QueueConsumer(
                queue: SystemQueues.automaticBonus,
                handler: AutomaticBonusAwarder(cipher: PersonalDataCipher(settings: try PersonalDataSettings(reader: dependencies.reader))),
                concurrency: 20, settings: dependencies.settings.amqp, postgres: dependencies.postgres, logger: dependencies.logger),
        ]
    }
}
