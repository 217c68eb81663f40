import Access
import Hummingbird
import RegistrationService
import ServiceRuntime

extension ServiceDefinition {
    /// Port 8102 unless HTTP_PORT says otherwise (ops/ and compose/ use the same number).
    public static let confirmation = ServiceDefinition(name: "Confirmation", defaultPort: 8102, addRoutes: ConfirmationAPI.add)
}

/// On-site confirmation (现场确认) at confirmation points: the points themselves (proposed by a
/// county, reviewed by its city, approved by the province) and the operators' confirmations.
public enum ConfirmationAPI {
    public static func add(to router: Router<BasicRequestContext>, _ dependencies: Dependencies) throws {
        let access = try AccessControl(dependencies)
        add(to: ServiceRoutes(router, access: access), dependencies, access: access)
    }

    /// With the access control given (tests build several services' routes on one router).
    public static func add(to routes: ServiceRoutes, _ dependencies: Dependencies, access: AccessControl) {
        let desk = OperatorDesk(access: access, store: OperatorDeskStore(postgres: dependencies.postgres, logger: dependencies.logger))
        let store = ConfirmationStore(
            postgres: dependencies.postgres, cipher: access.cipher, logger: dependencies.logger,
            formCheck: SubmittedFormCheck(postgres: dependencies.postgres, cipher: access.cipher, logger: dependencies.logger))
        ConfirmationRoutes(access: access, desk: desk, store: store).add(to: routes)
        CandidateLookupRoutes(access: access, desk: desk, postgres: dependencies.postgres, cipher: access.cipher, logger: dependencies.logger).add(to: routes)
        CandidatePhotoRoutes(access: access, desk: desk, store: CandidatePhotoStore(postgres: dependencies.postgres, cipher: access.cipher, logger: dependencies.logger)).add(to: routes)
        BonusClaimRoutes(access: access, desk: desk, store: BonusClaimStore(postgres: dependencies.postgres, logger: dependencies.logger)).add(to: routes)
        PaperFormRoutes(access: access, desk: desk, store: PaperFormBatchStore(postgres: dependencies.postgres, cipher: access.cipher, logger: dependencies.logger)).add(to: routes)
        let points = ConfirmationPointStore(postgres: dependencies.postgres, logger: dependencies.logger)
        ConfirmationPointRoutes(access: access, store: points).add(to: routes)
        AppointmentSlotRoutes(access: access, points: points, store: AppointmentSlotStore(postgres: dependencies.postgres, logger: dependencies.logger)).add(to: routes)
        FlowFormRoutes(access: access, store: FlowFormStore(postgres: dependencies.postgres, logger: dependencies.logger)).add(to: routes)
    }
}
