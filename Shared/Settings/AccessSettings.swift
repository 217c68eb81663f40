import Foundation

/// The keys that seal personal data (ID numbers, phone numbers) in the database.
///
/// `PERSONAL_DATA_KEYS` is a comma-separated list of `id:base64` 256-bit keys, the current one
/// first; older ones stay listed until every value sealed with them has been re-sealed.
/// `PERSONAL_DATA_LOOKUP_KEY` (base64, 32 bytes or more) keys the lookup hashes and cannot rotate
/// without recomputing them. Neither has a default.
public struct PersonalDataSettings: Sendable {
    public struct Key: Sendable {
        public let id: String
        public let bytes: [UInt8]
    }

    public let keys: [Key]
    public let lookupKey: [UInt8]

    public init(reader: SettingsReader) throws(SettingError) {
        let name = SettingsReader.environmentName("personal.data.keys")
        var keys: [Key] = []
        for entry in try reader.requiredSecret("personal.data.keys").split(separator: ",") {
            let parts = entry.trimmingCharacters(in: .whitespaces).split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }), parts[0].count <= 16,
                let bytes = Data(base64Encoded: String(parts[1])), bytes.count == 32
            else {
                throw SettingError(setting: name, value: nil, reason: "expected id:base64 entries of 32-byte keys, ids of up to 16 letters or digits")
            }
            guard !keys.contains(where: { $0.id == parts[0] }) else {
                throw SettingError(setting: name, value: nil, reason: "key id \(parts[0]) appears twice")
            }
            keys.append(Key(id: String(parts[0]), bytes: Array(bytes)))
        }
        guard !keys.isEmpty else { throw SettingError(setting: name, value: nil, reason: "must list at least one key") }
        self.keys = keys
        guard let lookup = Data(base64Encoded: try reader.requiredSecret("personal.data.lookup.key")), lookup.count >= 32 else {
            throw SettingError(
                setting: SettingsReader.environmentName("personal.data.lookup.key"), value: nil, reason: "expected base64 of 32 bytes or more")
        }
        self.lookupKey = Array(lookup)
    }
}

/// How sessions and browser requests are guarded.
public struct SessionSettings: Sendable {
    /// A session unused this long ends.
    public var idleTimeout: Duration
    /// A session ends this long after login, however busy.
    public var absoluteTimeout: Duration
    /// Cookies get `Secure` when the public site is served over TLS.
    public var secureCookies: Bool
    /// Origins (scheme://host[:port]) whose pages may send state-changing requests.
    public var allowedOrigins: Set<String>

    public init(reader: SettingsReader) throws(SettingError) {
        idleTimeout = try reader.seconds("session.idle.timeout", default: 30 * 60)
        absoluteTimeout = try reader.seconds("session.absolute.timeout", default: 12 * 3600)
        secureCookies = try reader.flag("session.secure.cookies", default: false)
        let origins = try reader.string("allowed.origins", default: "http://127.0.0.1:8080,http://localhost:8080")
        allowedOrigins = Set(origins.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
        guard allowedOrigins.allSatisfy({ $0.hasPrefix("http://") || $0.hasPrefix("https://") }) else {
            throw SettingError(setting: "ALLOWED_ORIGINS", value: origins, reason: "expected comma-separated http(s)://host[:port] origins")
        }
    }
}
