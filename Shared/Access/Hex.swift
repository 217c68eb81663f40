/// Lower-case hexadecimal, for keys built on every request (`String(format:)` goes through
/// Foundation's formatter, which showed in profiles).
extension Sequence where Element == UInt8 {
    var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// `bytes` bytes from the system's random generator, as lower-case hexadecimal: session and CSRF
/// tokens, login challenges.
public func randomHex(bytes: Int) -> String {
    var generator = SystemRandomNumberGenerator()
    return (0..<bytes).map { _ in UInt8.random(in: 0...255, using: &generator) }.hex
}
