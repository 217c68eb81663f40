import Access
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime

/// A candidate account as the candidate and staff see it: ID and phone numbers masked.
public struct CandidateAccountView: Codable, Sendable {
    public let id: Int64
    public let documentType: IdentityDocumentType
    public let documentNumber: String
    public let name: String
    public let phone: String
    public let countyID: String
    public let countyName: String
    public let status: String
    public let createdAt: Date
}

/// The `candidate_account` table. ID and phone numbers are sealed on the way in and found by
/// their keyed hashes; the person's (document type, number) is unique.
struct CandidateAccountStore: Sendable {
    let postgres: PostgresClient
    let cipher: PersonalDataCipher
    let logger: Logger

    static let documentColumn = SealedColumn.candidateDocument
    static let phoneColumn = "candidate_account.phone"

    func lookup(_ document: IdentityDocument) -> ByteBuffer {
        ByteBuffer(bytes: cipher.documentLookup(document))
    }

    func isCounty(_ id: String) async throws -> Bool {
        let rows = try await postgres.query(
            "SELECT 1 FROM organisation_node WHERE id = \(id) AND kind = 'county' AND active", logger: logger)
        for try await _ in rows { return true }
        return false
    }

    /// A new candidate account before it is sealed: from the sign-up page (with a password) or
    /// a paper draft form (without: the candidate sets one by the reset code).
    struct NewAccount: Sendable {
        let document: IdentityDocument
        let name: String
        let phone: String
        let passwordHash: String?
        let countyID: String
    }

    /// A new account; nil when this person already has one.
    func signUp(_ account: NewAccount) async throws -> Int64? {
        try await postgres.withConnection { connection in
            try await create([account], on: connection)[cipher.documentLookup(account.document)]
        }
    }

    /// The one way candidate accounts are made, in sets: the numbers sealed, found again by
    /// their keyed hashes. Returns the new ids by lookup hash; a person who already has an
    /// account is left out (the hash is unique).
    func create(_ accounts: [NewAccount], on connection: PostgresConnection) async throws -> [[UInt8]: Int64] {
        guard !accounts.isEmpty else { return [:] }
        var types: [String] = [], numbers: [ByteBuffer] = [], lookups: [ByteBuffer] = [], masks: [String] = [], names: [String] = []
        var phones: [ByteBuffer] = [], phoneMasks: [String] = [], keyIDs: [String] = [], passwords: [String] = [], counties: [String] = []
        for account in accounts {
            let number = try cipher.seal(account.document.number, column: Self.documentColumn)
            let phone = try cipher.seal(account.phone, column: Self.phoneColumn)
            types.append(account.document.type.rawValue)
            numbers.append(ByteBuffer(bytes: number.bytes))
            lookups.append(lookup(account.document))
            masks.append(account.document.masked)
            names.append(account.name)
            phones.append(ByteBuffer(bytes: phone.bytes))
            phoneMasks.append(PersonalDataMask.maskPhone(account.phone))
            keyIDs.append(number.keyID)
            passwords.append(account.passwordHash ?? "")  // no array of optionals in the wire format: '' is none
            counties.append(account.countyID)
        }
        var created: [[UInt8]: Int64] = [:]
        for try await (lookup, id) in try await connection.query(
            """
            INSERT INTO candidate_account (document_type, document_number_sealed, document_number_lookup, document_number_masked,
                name, phone_sealed, phone_masked, personal_data_key_id, password_hash, organisation_node_id)
            SELECT t.type, t.number, t.lookup, t.masked, t.name, t.phone, t.phone_masked, t.key_id, nullif(t.password, ''), t.county
            FROM unnest(\(types)::text[], \(numbers)::bytea[], \(lookups)::bytea[], \(masks)::text[], \(names)::text[], \(phones)::bytea[],
                        \(phoneMasks)::text[], \(keyIDs)::text[], \(passwords)::text[], \(counties)::text[])
                AS t(type, number, lookup, masked, name, phone, phone_masked, key_id, password, county)
            ON CONFLICT (document_number_lookup) DO NOTHING
            RETURNING document_number_lookup, id
            """, logger: logger
        ).decode((ByteBuffer, Int64).self) {
            created[Array(buffer: lookup)] = id
        }
        return created
    }

    /// The account's id and password hash (nil for an account entered from a paper form whose
    /// candidate has not set a password yet).
    func credentials(_ document: IdentityDocument) async throws -> (id: Int64, hash: String?)? {
        let rows = try await postgres.query(
            "SELECT id, password_hash FROM candidate_account WHERE document_number_lookup = \(lookup(document))", logger: logger)
        for try await (id, hash) in rows.decode((Int64, String?).self) { return (id, hash) }
        return nil
    }

    func passwordHash(_ id: Int64) async throws -> String? {
        let rows = try await postgres.query("SELECT password_hash FROM candidate_account WHERE id = \(id)", logger: logger)
        for try await hash in rows.decode(String?.self) { return hash }
        return nil
    }

    /// The account as staff and the candidate see it, the path of its county and the point of the
    /// submitted form (nil before a point is chosen).
    func account(_ id: Int64) async throws -> (view: CandidateAccountView, countyPath: String, pointID: String?)? {
        let rows = try await postgres.query(
            """
            SELECT c.id, c.document_type, c.document_number_masked, c.name, c.phone_masked, n.id, n.name, n.path::text, c.status, c.created_at,
                   (SELECT r.confirmation_point_id FROM registration r WHERE r.candidate_id = c.id)
            FROM candidate_account c JOIN organisation_node n ON n.id = c.organisation_node_id
            WHERE c.id = \(id)
            """, logger: logger)
        for try await (id, type, number, name, phone, countyID, countyName, path, status, createdAt, pointID) in rows.decode(
            (Int64, String, String, String, String, String, String, String, String, Date, String?).self)
        {
            let view = CandidateAccountView(
                id: id, documentType: IdentityDocumentType(rawValue: type) ?? .residentID, documentNumber: number, name: name,
                phone: phone, countyID: countyID, countyName: countyName, status: status, createdAt: createdAt)
            return (view, path, pointID)
        }
        return nil
    }

    /// The full phone number, for sending a code to it.
    func phone(_ id: Int64) async throws -> String? {
        let rows = try await postgres.query(
            "SELECT phone_sealed, personal_data_key_id FROM candidate_account WHERE id = \(id)", logger: logger)
        for try await (sealed, keyID) in rows.decode((ByteBuffer, String).self) {
            return try cipher.open(.init(keyID: keyID, bytes: Array(buffer: sealed)), column: Self.phoneColumn)
        }
        return nil
    }

    func setPasswordHash(_ id: Int64, _ hash: String) async throws {
        try await postgres.query(
            "UPDATE candidate_account SET password_hash = \(hash), password_changed_at = now() WHERE id = \(id)", logger: logger)
    }

    /// Re-seals both numbers with the current key (the row has one key id), so a phone change
    /// also completes a key rotation for the row.
    func setPhone(_ id: Int64, _ phone: String, audit: (actor: AuditActor, clientAddress: String)? = nil) async throws {
        try await postgres.withTransaction(logger: logger) { connection in
            let rows = try await connection.query(
                "SELECT document_number_sealed, personal_data_key_id FROM candidate_account WHERE id = \(id) FOR UPDATE", logger: logger)
            var current: (ByteBuffer, String)?
            for try await row in rows.decode((ByteBuffer, String).self) { current = row }
            guard let (sealedNumber, keyID) = current else { return }
            let number = try cipher.seal(
                try cipher.open(.init(keyID: keyID, bytes: Array(buffer: sealedNumber)), column: Self.documentColumn),
                column: Self.documentColumn)
            let sealedPhone = try cipher.seal(phone, column: Self.phoneColumn)
            try await connection.query(
                """
                UPDATE candidate_account
                   SET document_number_sealed = \(ByteBuffer(bytes: number.bytes)), phone_sealed = \(ByteBuffer(bytes: sealedPhone.bytes)),
                       phone_masked = \(PersonalDataMask.maskPhone(phone)), personal_data_key_id = \(number.keyID)
                 WHERE id = \(id)
                """, logger: logger)
            if let audit {
                try await AuditLog.record(
                    audit.actor, action: "candidate.phone.change", target: .candidate(id), clientAddress: audit.clientAddress,
                    on: connection, logger: logger)
            }
        }
    }
}
