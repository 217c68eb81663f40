import Access
import Hummingbird
import ServiceRuntime

extension ServiceDefinition {
    /// Port 8106 unless HTTP_PORT says otherwise (ops/ and compose/ use the same number).
    public static let documentGeneration = ServiceDefinition(
        name: "DocumentGeneration", defaultPort: 8106, addRoutes: DocumentGenerationAPI.add)
}

/// Exam documents as PDF: flow forms, admission tickets, site materials, registration forms.
/// Each document is a folder beside this file with its routes, store and layout, added here;
/// its worker consumes `documents.requests`.
public enum DocumentGenerationAPI {
    public static func add(to router: Router<BasicRequestContext>, _ dependencies: Dependencies) throws {
        let access = try AccessControl(dependencies)
        add(to: ServiceRoutes(router, access: access), dependencies, access: access)
    }

    /// With the access control given (tests build several services' routes on one router).
    public static func add(to routes: ServiceRoutes, _ dependencies: Dependencies, access: AccessControl) {}
}
