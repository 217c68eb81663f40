import Access
import Crypto
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import ServiceRuntime

/// Checking an admission ticket's QR code at a site: online (`GET /verify/{code}`: valid, or why
/// not, including a ticket superseded by a later correction), or offline with the public keys
/// published at `GET /verify/keys`.
struct VerificationRoutes: Sendable {
    let postgres: PostgresClient
    let logger: Logger
    let keys: [DocumentSettings.SigningKey]

    func add(to routes: ServiceRoutes) {
        routes.open.get("verify/keys", use: publicKeys)
        routes.open.get("verify/{code}", use: verify)
    }

    struct PublicKey: Codable, Sendable {
        let keyID: String
        let algorithm: String
        /// The 32-byte Ed25519 public key, base64.
        let publicKey: String
    }

    struct PublicKeys: Codable, Sendable {
        let keys: [PublicKey]
        /// How a code is built, for those who verify offline.
        let format: String
    }

    @Sendable func publicKeys(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<PublicKeys> {
        JSONOutput(
            PublicKeys(
                keys: keys.map { PublicKey(keyID: $0.id, algorithm: "Ed25519", publicKey: $0.publicKey.rawRepresentation.base64EncodedString()) },
                format: "ZK1.<keyID>.<base64url(year|ticket|candidateNumber|siteID|room|seat|nameDigest)>.<base64url(Ed25519 signature of the text before the last dot)>"))
    }

    struct Verdict: Codable, Sendable {
        let valid: Bool
        /// Why not: `malformed`, `unknown_key`, `bad_signature`, or `superseded` (signed, but the
        /// candidate's seat has since changed: the newer ticket is the one to use).
        let reason: String?
        let code: TicketCode?
    }

    @Sendable func verify(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<Verdict> {
        let text = context.parameters.get("code") ?? ""
        guard text.count <= 400 else { return JSONOutput(Verdict(valid: false, reason: TicketCode.Refusal.malformed.rawValue, code: nil)) }
        let known = Dictionary(uniqueKeysWithValues: keys.map { ($0.id, $0.publicKey) })
        switch TicketCode.verify(text, keys: known) {
        case .failure(let refusal):
            return JSONOutput(Verdict(valid: false, reason: refusal.rawValue, code: nil))
        case .success(let code):
            // The seat the code names must still be the candidate's in the published run.
            let current = try await postgres.query(
                """
                SELECT count(*) FROM numbering_run r
                JOIN admission_ticket t ON t.run_id = r.id AND t.ticket = \(code.ticket)
                JOIN candidate_confirmation c ON c.candidate_id = t.candidate_id AND c.candidate_number = \(code.candidateNumber)
                JOIN exam_room m ON m.run_id = r.id AND m.district_code = left(t.ticket, 4) AND m.room = substr(t.ticket, 7, 3)::int AND m.site_id = \(code.site)
                WHERE r.year = \(code.year) AND r.published_at IS NOT NULL
                """, logger: logger
            ).decode(Int.self).first { _ in true } ?? 0
            return JSONOutput(Verdict(valid: current > 0, reason: current > 0 ? nil : "superseded", code: code))
        }
    }
}
