import Access
import Hummingbird
import Messaging
import ServiceLifecycle
import ServiceRuntime
import Settings

extension ServiceDefinition {
    /// Port 8105 unless HTTP_PORT says otherwise (ops/ and compose/ use the same number).
    public static let arrangement = ServiceDefinition(
        name: "Arrangement", defaultPort: 8105, addRoutes: ArrangementAPI.add, workers: ArrangementWorkers.workers)
}

/// Exam arrangement (考务编排): exam districts and sites, scope rules, the province's numbering
/// run, rooms to sites, publication and corrections. Each capability is a folder beside this file
/// with its routes, store and rules, added here.
public enum ArrangementAPI {
    public static func add(to router: Router<BasicRequestContext>, _ dependencies: Dependencies) throws {
        let access = try AccessControl(dependencies)
        add(to: ServiceRoutes(router, access: access), dependencies, access: access)
    }

    /// With the access control given (tests build several services' routes on one router).
    public static func add(to routes: ServiceRoutes, _ dependencies: Dependencies, access: AccessControl) {
        let (postgres, logger) = (dependencies.postgres, dependencies.logger)
        let districts = ExamDistrictStore(postgres: postgres, logger: logger)
        let sites = ExamSiteStore(postgres: postgres, logger: logger)
        ExamDistrictRoutes(access: access, store: districts).add(to: routes)
        ExamSiteRoutes(access: access, store: sites).add(to: routes)
        ScopeRuleRoutes(access: access, store: ScopeRuleStore(postgres: postgres, logger: logger)).add(to: routes)
        NumberingRunRoutes(access: access, store: NumberingRunStore(postgres: postgres, logger: logger)).add(to: routes)
        RoomAllocationRoutes(access: access, store: RoomAllocationStore(postgres: postgres, logger: logger), districts: districts).add(to: routes)
        PublicationRoutes(access: access, store: PublicationStore(postgres: postgres, logger: logger), districts: districts, sites: sites)
            .add(to: routes)
    }
}

/// The Arrangement worker: numbering runs, one at a time (each is one transaction of seconds).
public enum ArrangementWorkers {
    public static func workers(_ dependencies: Dependencies) throws -> [any Service] {
        [
            QueueConsumer(
                queue: SystemQueues.numberingRuns, handler: NumberingRunner(postgres: dependencies.postgres, logger: dependencies.logger), concurrency: 1,
                batchSize: 1, settings: dependencies.settings.amqp, postgres: dependencies.postgres, logger: dependencies.logger)
        ]
    }
}
