import ServiceRuntime

extension ServiceDefinition {
    /// Port 8101 unless HTTP_PORT says otherwise (ops/ and compose/ use the same number).
    static let registration = ServiceDefinition(name: "Registration", defaultPort: 8101)
}
