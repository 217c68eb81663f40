import ServiceRuntime

extension ServiceDefinition {
    /// Port 8103 unless HTTP_PORT says otherwise (ops/ and compose/ use the same number).
    static let paymentCallback = ServiceDefinition(name: "PaymentCallback", defaultPort: 8103)
}
