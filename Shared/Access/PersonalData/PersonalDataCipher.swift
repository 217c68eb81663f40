import Crypto
import Foundation
import Settings

/// Personal data at rest (ID numbers, phone numbers): AES-256-GCM with a key from configuration.
/// Each sealed value records the id of the key that sealed it, so keys can rotate: new values use
/// the current key, old ones open with theirs until re-sealed. The column a value belongs to is
/// bound in as associated data, so a ciphertext copied into another column does not open.
///
/// Lookups ("is this ID number registered?") use a keyed hash (HMAC-SHA256 with a separate key):
/// equal inputs give equal hashes, and without the key a hash cannot be tested against guesses,
/// which matters because ID numbers are few enough to enumerate.
public struct PersonalDataCipher: Sendable {
    public struct Sealed: Sendable, Equatable {
        public let keyID: String
        /// nonce, ciphertext, tag
        public let bytes: [UInt8]

        public init(keyID: String, bytes: [UInt8]) {
            self.keyID = keyID
            self.bytes = bytes
        }
    }

    public enum Failure: Error, CustomStringConvertible {
        case unknownKey(String)
        case tampered

        public var description: String {
            switch self {
            case .unknownKey(let id): "no personal-data key with id \(id) is configured"
            case .tampered: "a sealed personal-data value does not open (wrong key, column or damaged)"
            }
        }
    }

    private let currentKeyID: String
    // Bytes, not SymmetricKey (not Sendable in this swift-crypto); a key is made per use.
    private let keys: [String: [UInt8]]
    private let lookupKey: [UInt8]

    public init(settings: PersonalDataSettings) {
        self.currentKeyID = settings.keys[0].id
        self.keys = Dictionary(uniqueKeysWithValues: settings.keys.map { ($0.id, $0.bytes) })
        self.lookupKey = settings.lookupKey
    }

    public func seal(_ value: String, column: String) throws -> Sealed {
        let box = try AES.GCM.seal(Data(value.utf8), using: SymmetricKey(data: keys[currentKeyID]!), authenticating: Data(column.utf8))
        return Sealed(keyID: currentKeyID, bytes: Array(box.combined!))
    }

    /// Bytes (a photo, a scan) sealed the same way as text.
    public func seal(bytes: [UInt8], column: String) throws -> Sealed {
        let box = try AES.GCM.seal(bytes, using: SymmetricKey(data: keys[currentKeyID]!), authenticating: Data(column.utf8))
        return Sealed(keyID: currentKeyID, bytes: Array(box.combined!))
    }

    public func open(_ sealed: Sealed, column: String) throws -> String {
        String(decoding: try openBytes(sealed, column: column), as: UTF8.self)
    }

    public func openBytes(_ sealed: Sealed, column: String) throws -> [UInt8] {
        guard let key = keys[sealed.keyID] else { throw Failure.unknownKey(sealed.keyID) }
        do {
            let box = try AES.GCM.SealedBox(combined: sealed.bytes)
            return Array(try AES.GCM.open(box, using: SymmetricKey(data: key), authenticating: Data(column.utf8)))
        } catch {
            throw Failure.tampered
        }
    }

    /// How a person's identity document is found: the one rule every service uses.
    public func documentLookup(_ document: IdentityDocument) -> [UInt8] {
        lookupHash("\(document.type.rawValue):\(document.number)", purpose: "candidate_account.document_number")
    }

    /// The keyed hash used to find a value without decrypting every row; `purpose` keeps the
    /// hashes of different kinds of value apart.
    public func lookupHash(_ value: String, purpose: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Data("\(purpose)\u{0}\(value)".utf8), using: SymmetricKey(data: lookupKey)))
    }
}
