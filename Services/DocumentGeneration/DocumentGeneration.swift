import Access
import Hummingbird
import Messaging
import ServiceLifecycle
import ServiceRuntime
import Settings

extension ServiceDefinition {
    /// Port 8106 unless HTTP_PORT says otherwise (ops/ and compose/ use the same number).
    public static let documentGeneration = ServiceDefinition(
        name: "DocumentGeneration", defaultPort: 8106, addRoutes: DocumentGenerationAPI.add, workers: DocumentGenerationWorkers.workers)
}

/// Exam documents as PDF: flow forms, admission tickets, site materials, registration forms.
/// Each document is a folder beside this file with its routes, store and layout, added here;
/// its worker consumes `documents.requests` and `documents.admission-tickets`.
public enum DocumentGenerationAPI {
    public static func add(to router: Router<BasicRequestContext>, _ dependencies: Dependencies) throws {
        let access = try AccessControl(dependencies)
        add(to: ServiceRoutes(router, access: access), dependencies, access: access)
    }

    /// With the access control given (tests build several services' routes on one router).
    public static func add(to routes: ServiceRoutes, _ dependencies: Dependencies, access: AccessControl) {}
}

/// The document worker's queues. For now it notes the admission tickets due from the
/// arrangement's events; the rendering of each kind joins it with issue 22.
public enum DocumentGenerationWorkers {
    public static func workers(_ dependencies: Dependencies) throws -> [any Service] {
        [
            QueueConsumer(
                queue: SystemQueues.admissionTickets, handler: AdmissionTicketsDue(), concurrency: 4, batchSize: 1,
                settings: dependencies.settings.amqp, postgres: dependencies.postgres, logger: dependencies.logger)
        ]
    }
}
