import Crypto
import Foundation
import Settings

/// What only the document service reads: where files are kept and the keys that sign the codes.
///
/// `DOCUMENT_STORE` is the directory the documents are written to (a volume in compose), its
/// index in PostgreSQL. `DOCUMENT_SIGNING_KEYS` is a comma-separated list of `id:base64` 32-byte
/// Ed25519 private keys, the current one first; older ones stay listed while tickets signed with
/// them are in use, so that their codes still verify. Neither has a default.
struct DocumentSettings: Sendable {
    struct SigningKey: Sendable {
        let id: String
        let seed: [UInt8]

        var privateKey: Curve25519.Signing.PrivateKey { try! Curve25519.Signing.PrivateKey(rawRepresentation: seed) }
        var publicKey: Curve25519.Signing.PublicKey { privateKey.publicKey }
    }

    let store: URL
    let signingKeys: [SigningKey]

    init(store: URL, signingKeys: [SigningKey]) {
        self.store = store
        self.signingKeys = signingKeys
    }

    init(reader: SettingsReader) throws(SettingError) {
        let store = try reader.required("document.store")
        guard store.hasPrefix("/") else {
            throw SettingError(setting: SettingsReader.environmentName("document.store"), value: store, reason: "expected an absolute directory")
        }
        self.store = URL(fileURLWithPath: store, isDirectory: true)
        let name = SettingsReader.environmentName("document.signing.keys")
        var keys: [SigningKey] = []
        for entry in try reader.requiredSecret("document.signing.keys").split(separator: ",") {
            let parts = entry.trimmingCharacters(in: .whitespaces).split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }), (1...16).contains(parts[0].count),
                let bytes = Data(base64Encoded: String(parts[1])), bytes.count == 32, !keys.contains(where: { $0.id == parts[0] })
            else {
                throw SettingError(setting: name, value: nil, reason: "expected distinct id:base64 entries of 32-byte Ed25519 keys, ids of up to 16 letters or digits")
            }
            keys.append(SigningKey(id: String(parts[0]), seed: Array(bytes)))
        }
        guard !keys.isEmpty else { throw SettingError(setting: name, value: nil, reason: "must list at least one key") }
        self.signingKeys = keys
    }
}
