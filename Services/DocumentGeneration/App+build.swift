import ServiceRuntime

extension ServiceDefinition {
    /// Port 8106 unless HTTP_PORT says otherwise (ops/ and compose/ use the same number).
    static let documentGeneration = ServiceDefinition(name: "DocumentGeneration", defaultPort: 8106)
}
