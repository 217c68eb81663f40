import Access
import Hummingbird
import ServiceRuntime

extension ServiceDefinition {
    /// Port 8105 unless HTTP_PORT says otherwise (ops/ and compose/ use the same number).
    public static let arrangement = ServiceDefinition(name: "Arrangement", defaultPort: 8105, addRoutes: ArrangementAPI.add)
}

/// Exam arrangement (考务编排): exam sites, districts, admission-ticket numbering, rooms to
/// sites. Each capability is a folder beside this file with its routes, store and rules, added here.
public enum ArrangementAPI {
    public static func add(to router: Router<BasicRequestContext>, _ dependencies: Dependencies) throws {
        let access = try AccessControl(dependencies)
        add(to: ServiceRoutes(router, access: access), dependencies, access: access)
    }

    /// With the access control given (tests build several services' routes on one router).
    public static func add(to routes: ServiceRoutes, _ dependencies: Dependencies, access: AccessControl) {}
}
