import ServiceRuntime

extension ServiceDefinition {
    /// Port 8104 unless HTTP_PORT says otherwise (ops/ and compose/ use the same number).
    static let review = ServiceDefinition(name: "Review", defaultPort: 8104)
}
