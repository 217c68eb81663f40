import Hummingbird

extension Request {
    /// The client's address as the gateway saw it. Services listen on loopback behind nginx,
    /// which sets `X-Real-IP`; a request without it came from this machine.
    public var clientAddress: String {
        if let value = headers[.init("X-Real-IP")!], !value.isEmpty, value.count <= 64 { return value }
        return "127.0.0.1"
    }
}
