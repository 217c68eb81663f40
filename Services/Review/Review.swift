import Access
import Hummingbird
import ServiceRuntime

extension ServiceDefinition {
    /// Port 8104 unless HTTP_PORT says otherwise (ops/ and compose/ use the same number).
    public static let review = ServiceDefinition(name: "Review", defaultPort: 8104, addRoutes: ReviewRoutes.add)
}

/// Staff reviews: staff accounts (applications approved by the parent node), points, exemptions,
/// bonus-point claims, reports up the tree.
public enum ReviewRoutes {
    public static func add(to router: Router<BasicRequestContext>, _ dependencies: Dependencies) throws {
        let access = try AccessControl(dependencies)
        access.protect(router)
        StaffAccountRoutes(access: access, store: StaffAccountStore(postgres: dependencies.postgres, cipher: access.cipher, logger: dependencies.logger))
            .add(to: router.group("staff"))
    }
}
