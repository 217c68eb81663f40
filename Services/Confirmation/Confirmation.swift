import ServiceRuntime

extension ServiceDefinition {
    /// Port 8102 unless HTTP_PORT says otherwise (ops/ and compose/ use the same number).
    public static let confirmation = ServiceDefinition(name: "Confirmation", defaultPort: 8102)
}
