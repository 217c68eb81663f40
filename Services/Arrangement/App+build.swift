import ServiceRuntime

extension ServiceDefinition {
    /// Port 8105 unless HTTP_PORT says otherwise (ops/ and compose/ use the same number).
    static let arrangement = ServiceDefinition(name: "Arrangement", defaultPort: 8105)
}
