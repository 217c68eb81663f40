import Crypto
import Foundation

/// What an admission ticket's QR code says, signed (Ed25519) so that a site can trust it offline
/// with the published public key, or online with `GET /verify/{code}`.
///
/// The code is `ZK1.<key id>.<payload>.<signature>`, payload and signature in unpadded base64url;
/// the payload is `year|ticket|candidate number|site|room|seat|name digest`. No name or ID number
/// is in it: the digest (SHA-256 of name and candidate number, first 9 bytes) lets a reader
/// check the name on the ID card against the code without the code carrying it.
struct TicketCode: Codable, Sendable, Equatable {
    let year: Int
    let ticket: String
    let candidateNumber: String
    let site: String
    let room: String
    let seat: String
    let nameDigest: String

    static let prefix = "ZK1"

    init(year: Int, ticket: String, candidateNumber: String, site: String, room: String, seat: String, name: String) {
        self.year = year
        self.ticket = ticket
        self.candidateNumber = candidateNumber
        self.site = site
        self.room = room
        self.seat = seat
        self.nameDigest = Self.digest(name: name, candidateNumber: candidateNumber)
    }

    private init?(payload: String) {
        let parts = payload.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 7, let year = Int(parts[0]) else { return nil }
        (self.year, ticket, candidateNumber, site, room, seat, nameDigest) = (year, parts[1], parts[2], parts[3], parts[4], parts[5], parts[6])
    }

    static func digest(name: String, candidateNumber: String) -> String {
        Base64URL.encode(Array(SHA256.hash(data: Data("\(name)|\(candidateNumber)".utf8)).prefix(9)))
    }

    var payload: String { [String(year), ticket, candidateNumber, site, room, seat, nameDigest].joined(separator: "|") }

    /// The signed text put in the QR code, with the signer's current key.
    func signed(with key: DocumentSettings.SigningKey) throws -> String {
        let unsigned = "\(Self.prefix).\(key.id).\(Base64URL.encode(Array(payload.utf8)))"
        return "\(unsigned).\(Base64URL.encode(Array(try key.privateKey.signature(for: Data(unsigned.utf8)))))"
    }

    /// Why a code is refused.
    enum Refusal: String, Error, Codable, Sendable {
        /// Not a code of this system at all.
        case malformed
        /// Signed with a key this system does not know (or no longer lists).
        case unknownKey = "unknown_key"
        /// The signature does not match: forged, or altered after signing.
        case badSignature = "bad_signature"
    }

    /// The code's content when its signature holds under one of `keys` (by its key id).
    static func verify(_ code: String, keys: [String: Curve25519.Signing.PublicKey]) -> Result<TicketCode, Refusal> {
        let parts = code.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == prefix, let payloadBytes = Base64URL.decode(parts[2]), let signature = Base64URL.decode(parts[3]),
            let payload = String(bytes: payloadBytes, encoding: .utf8)
        else { return .failure(.malformed) }
        guard let key = keys[String(parts[1])] else { return .failure(.unknownKey) }
        let unsigned = parts[0...2].joined(separator: ".")
        guard key.isValidSignature(signature, for: Data(unsigned.utf8)) else { return .failure(.badSignature) }
        guard let ticket = TicketCode(payload: payload) else { return .failure(.malformed) }
        return .success(ticket)
    }
}

/// Unpadded base64url (RFC 4648 §5): what fits a QR code's byte mode and a URL path as it is.
enum Base64URL {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: some StringProtocol) -> [UInt8]? {
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64).map(Array.init)
    }
}
