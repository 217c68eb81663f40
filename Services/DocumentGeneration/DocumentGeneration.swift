import Access
import Hummingbird
import Messaging
import NIOCore
import ServiceLifecycle
import ServiceRuntime
import Settings

extension ServiceDefinition {
    /// Port 8106 unless HTTP_PORT says otherwise (ops/ and compose/ use the same number).
    public static let documentGeneration = ServiceDefinition(
        name: "DocumentGeneration", defaultPort: 8106, addRoutes: DocumentGenerationAPI.add, workers: DocumentGenerationWorkers.workers)
}

/// The pieces every document needs, made once per process from the settings.
struct DocumentTools: Sendable {
    let settings: DocumentSettings
    let cipher: PersonalDataCipher
    let files: DocumentFiles

    init(_ dependencies: Dependencies) throws {
        settings = try DocumentSettings(reader: dependencies.reader)
        cipher = PersonalDataCipher(settings: try PersonalDataSettings(reader: dependencies.reader))
        files = DocumentFiles(root: settings.store, cipher: cipher)
    }

    var tickets: AdmissionTicketMaker { AdmissionTicketMaker(cipher: cipher, files: files, signingKey: settings.signingKeys[0]) }
    var flowForms: FlowFormMaker { FlowFormMaker(cipher: cipher, files: files) }
    var sitePacks: SitePackMaker { SitePackMaker(cipher: cipher, files: files) }
    var registrationRecords: RegistrationRecordMaker { RegistrationRecordMaker(cipher: cipher, files: files) }
}

/// Exam documents as PDF (rendered by `Rendering/` through Pango and cairo, stored by `Storage/`):
/// flow forms, admission tickets with their signed QR codes, site packs, registration records,
/// and the year's layouts. Each document is a folder beside this file with its routes and maker.
public enum DocumentGenerationAPI {
    public static func add(to router: Router<BasicRequestContext>, _ dependencies: Dependencies) throws {
        let access = try AccessControl(dependencies)
        try add(to: ServiceRoutes(router, access: access), dependencies, access: access)
    }

    /// With the access control given (tests build several services' routes on one router).
    public static func add(to routes: ServiceRoutes, _ dependencies: Dependencies, access: AccessControl) throws {
        let tools = try DocumentTools(dependencies)
        let (postgres, logger) = (dependencies.postgres, dependencies.logger)
        AdmissionTicketRoutes(access: access, store: AdmissionTicketStore(postgres: postgres, logger: logger, maker: tools.tickets), files: tools.files).add(to: routes)
        FlowFormRoutes(access: access, postgres: postgres, logger: logger, maker: tools.flowForms, files: tools.files).add(to: routes)
        SitePackRoutes(access: access, store: SitePackStore(postgres: postgres, logger: logger), files: tools.files).add(to: routes)
        VerificationRoutes(postgres: postgres, logger: logger, keys: tools.settings.signingKeys).add(to: routes)
        GlyphProblemRoutes(postgres: postgres, logger: logger).add(to: routes)
        LayoutRoutes(access: access, postgres: postgres, logger: logger).add(to: routes)
        ExamResultRoutes(access: access, store: ExamResultStore(postgres: postgres, logger: logger)).add(to: routes)
        RegistrationRecordRoutes(access: access, postgres: postgres, logger: logger, maker: tools.registrationRecords, files: tools.files).add(to: routes)
    }
}

/// The document worker's queues: which admission tickets are due (from the arrangement's
/// events), flow forms asked for by points, and the bulk drawing every worker shares.
public enum DocumentGenerationWorkers {
    public static func workers(_ dependencies: Dependencies) throws -> [any Service] {
        let tools = try DocumentTools(dependencies)
        let (settings, postgres, logger) = (dependencies.settings.amqp, dependencies.postgres, dependencies.logger)
        return [
            QueueConsumer(
                queue: SystemQueues.admissionTickets, handler: AdmissionTicketsDue(), concurrency: 1, batchSize: 1, settings: settings, postgres: postgres,
                logger: logger),
            QueueConsumer(queue: SystemQueues.documentRequests, handler: tools.flowForms, concurrency: 2, batchSize: 1, settings: settings, postgres: postgres, logger: logger),
            // Drawing takes a core: as many at once as the process has cores.
            QueueConsumer(
                queue: SystemQueues.documentRendering, handler: BulkDocuments(tickets: tools.tickets, packs: tools.sitePacks),
                concurrency: System.coreCount, batchSize: 1, settings: settings, postgres: postgres, logger: logger),
        ]
    }
}
