import Access
import CandidateLifecycle
import Contracts
import Foundation
import Logging
import Messaging
import PostgresNIO
import ServiceRuntime
import Storage

/// A candidate's saved registration as the candidate sees it.
public struct SavedRegistration: Codable, Sendable {
    public var form: RegistrationForm
    public var year: Int
    public var pledgeVersion: String?
    public var pledgeSignedAt: Date?
    public var submittedAt: Date?
    public var revision: Int
    /// A submitted candidate's edits not submitted again: `form` is then those edits, and the
    /// submitted form (the one the point confirms) stays as it was until a submission passes.
    public var unsubmittedChanges: Bool = false
}

/// The `registration` table, the candidate's state and its transitions.
struct RegistrationStore: Sendable {
    let postgres: PostgresClient
    let cipher: PersonalDataCipher
    let logger: Logger
    private let codes = Cache<ReferenceCodes>(lifetime: .seconds(60))
    /// Approved points, read for every submission; a newly approved point shows within seconds.
    private let approvedPoints = Cache<ApprovedPoints>(lifetime: .seconds(10))
    private let saves: StatementBatcher<Saving, Saved, Int64>
    private let bases: StatementBatcher<Int64, SubmissionBases.Row?, Int64>
    static let basicColumn = SealedColumn.registrationBasic

    init(postgres: PostgresClient, cipher: PersonalDataCipher, logger: Logger) {
        self.postgres = postgres
        self.cipher = cipher
        self.logger = logger
        saves = StatementBatcher(key: \.candidateID) { savings in
            let saved = try await Self.save(savings, cipher: cipher, logger: logger) { try await postgres.execute($0, logger: logger) }
            return savings.map { saved[$0.candidateID] ?? Saved(status: nil, revision: nil) }
        }
        bases = StatementBatcher(key: { $0 }) { ids in
            var found: [Int64: SubmissionBases.Row] = [:]
            for try await row in try await postgres.execute(SubmissionBases(candidateIDs: ids), logger: logger) { found[row.0] = row }
            return ids.map { found[$0] }
        }
    }

    struct ReferenceCodes: Sendable {
        let ethnicGroups: Set<String>
        let politicalStatuses: Set<String>
        let cities: Set<String>
    }

    /// A save that submits: who submits (the candidate, or the staff member entering a paper
    /// form) and from where.
    struct Submission: Sendable {
        var clientAddress: String
        /// nil: the candidate themselves.
        var staffID: Int64? = nil

        var actorKind: String { staffID == nil ? "candidate" : "staff" }
        var actorID: Int64? { staffID }
    }

    /// Which of a candidate's forms: the one they are working on (their unsubmitted edits, if a
    /// submitted candidate has made some), or the one that counts (the submitted form).
    enum Version: Sendable { case working, submitted }

    func load(_ candidateID: Int64, _ version: Version = .working) async throws -> SavedRegistration? {
        let rows = try await postgres.query(
            """
            SELECT r.year, r.basic_sealed, r.personal_data_key_id, r.choices::text, r.confirmation_point_id,
                   r.draft_basic_sealed, r.draft_key_id, r.draft_choices::text, r.draft_point_id,
                   r.pledge_version, r.pledge_signed_at, r.submitted_at, r.version, c.status
            FROM registration r JOIN candidate_account c ON c.id = r.candidate_id WHERE r.candidate_id = \(candidateID)
            """, logger: logger)
        for try await (year, sealed, keyID, choices, point, draftSealed, draftKeyID, draftChoices, draftPoint, pledge, signedAt, submittedAt, revision, status)
            in rows.decode((Int, ByteBuffer?, String?, String, String?, ByteBuffer?, String?, String?, String?, String?, Date?, Date?, Int, String).self)
        {
            // Edits count only while the candidate may still change the form.
            let edited = draftChoices != nil && status == "submitted"
            let form = edited && version == .working
                ? try form(sealed: draftSealed, keyID: draftKeyID, choices: draftChoices ?? "[]", point: draftPoint)
                : try form(sealed: sealed, keyID: keyID, choices: choices, point: point)
            return SavedRegistration(
                form: form, year: year, pledgeVersion: pledge, pledgeSignedAt: signedAt, submittedAt: submittedAt, revision: revision,
                unsubmittedChanges: edited)
        }
        return nil
    }

    private func form(sealed: ByteBuffer?, keyID: String?, choices: String, point: String?) throws -> RegistrationForm {
        var form = RegistrationForm(confirmationPointID: point)
        if let sealed, let keyID {
            let text = try cipher.open(.init(keyID: keyID, bytes: Array(buffer: sealed)), column: Self.basicColumn)
            form.basic = try JSONDecoder().decode(BasicInformation.self, from: Data(text.utf8))
        }
        form.choices = try JSONDecoder().decode([ApplicationChoice].self, from: Data(choices.utf8))
        return form
    }

    /// Saves the form (a draft, or a submission when `submission` is given) with the state
    /// change, its transition record and its event, all or nothing. Concurrent saves share one
    /// statement (`StatementBatcher`): a busy registration day costs one commit per batch, not
    /// per candidate. Refused once confirmed.
    @discardableResult
    func save(
        _ candidateID: Int64, year: Int, form: RegistrationForm, submission: Submission? = nil, choices: [CandidateSubmitted.Choice] = []
    ) async throws -> Saved {
        let saving = Saving(candidateID: candidateID, year: year, form: form, submission: submission, choices: choices)
        let saved = try await saves.submit(saving)
        guard let status = saved.status else { throw RegistrationRefusal.unknownCandidate }
        guard saved.revision != nil else { throw RegistrationRefusal.locked(status) }
        return saved
    }

    /// One candidate's form in a save of several.
    struct Saving: Sendable {
        let candidateID: Int64
        let year: Int
        let form: RegistrationForm
        /// nil: a draft.
        let submission: Submission?
        /// The choices `CandidateSubmitted` carries, for a submission.
        let choices: [CandidateSubmitted.Choice]
    }

    /// What a save found and did: the account's status before (nil: no such account), the new
    /// revision (nil: refused, the registration is locked), and whether a change of point gave
    /// back the appointment booked at the old one.
    struct Saved: Sendable {
        let status: String?
        let revision: Int?
        var releasedAppointment = false
    }

    /// Saves several candidates' forms in one statement, each as the single save does (each
    /// candidate at most once), on `connection` (inside the caller's transaction) or the pool.
    func save(_ savings: [Saving], on connection: PostgresConnection) async throws -> [Int64: Saved] {
        try await Self.save(savings, cipher: cipher, logger: logger) { try await connection.execute($0, logger: logger) }
    }

    private static func save(
        _ savings: [Saving], cipher: PersonalDataCipher, logger: Logger,
        execute: (SaveRegistrations) async throws -> AsyncThrowingMapSequence<PostgresRowSequence, SaveRegistrations.Row>
    ) async throws -> [Int64: Saved] {
        guard !savings.isEmpty else { return [:] }
        let rows = try await execute(try SaveRegistrations(savings, cipher: cipher))
        var result: [Int64: Saved] = [:]
        for try await (id, status, revision, released) in rows {
            result[id] = Saved(status: status, revision: revision, releasedAppointment: released)
        }
        return result
    }

    /// The form sealed, the event written as `Outbox.append` would (Shared/Messaging/Outbox.swift
    /// names the columns), the state change and its transition: one prepared statement, so a
    /// batch costs one round trip and no planning.
    struct SaveRegistrations: PostgresPreparedStatement {
        static let sql = """
            WITH input AS (
                SELECT * FROM unnest($1::bigint[], $2::int[], $3::bytea[], $4::text[], $5::text[], $6::text[], $7::uuid[], $8::bytea[],
                                     $9::bool[], $10::text[], $11::bigint[], $12::text[], $13::text[])
                    AS t(candidate_id, year, basic_sealed, key_id, choices, point_id, message_id, payload,
                         submitting, actor_kind, actor_id, client_address, basic_digests)
            ), account AS (
                SELECT c.id, c.status FROM candidate_account c WHERE c.id IN (SELECT candidate_id FROM input) ORDER BY c.id FOR UPDATE
            ), drafted AS (
                -- A submitted candidate's edits wait beside the submitted form (migration 0022).
                UPDATE registration r
                   SET draft_basic_sealed = i.basic_sealed, draft_key_id = i.key_id, draft_choices = i.choices::jsonb,
                       draft_point_id = nullif(i.point_id, ''), draft_saved_at = now(), updated_at = now(), version = r.version + 1
                FROM input i JOIN account a ON a.id = i.candidate_id
                WHERE r.candidate_id = i.candidate_id AND a.status = 'submitted' AND NOT i.submitting
                RETURNING r.candidate_id, r.version
            ), saved AS (
                INSERT INTO registration (candidate_id, year, basic_sealed, personal_data_key_id, basic_digests, choices, confirmation_point_id, submitted_at)
                SELECT i.candidate_id, i.year, i.basic_sealed, i.key_id, i.basic_digests::int[], i.choices::jsonb, nullif(i.point_id, ''),
                       CASE WHEN i.submitting THEN now() END
                FROM input i JOIN account a ON a.id = i.candidate_id
                WHERE a.status = 'registered' OR (a.status = 'submitted' AND i.submitting)
                ON CONFLICT (candidate_id) DO UPDATE
                   SET year = excluded.year, basic_sealed = excluded.basic_sealed, personal_data_key_id = excluded.personal_data_key_id,
                       basic_digests = excluded.basic_digests, choices = excluded.choices, confirmation_point_id = excluded.confirmation_point_id,
                       submitted_at = coalesce(excluded.submitted_at, registration.submitted_at),
                       draft_basic_sealed = NULL, draft_key_id = NULL, draft_choices = NULL, draft_point_id = NULL, draft_saved_at = NULL,
                       updated_at = now(), version = registration.version + 1
                RETURNING candidate_id, version
            ), submitting AS (
                -- Registered candidates who submit become `submitted` (by the lifecycle's statement part).
                SELECT i.candidate_id, 'registered'::text AS from_status, 'submitted'::text AS to_status, i.actor_kind,
                       coalesce(nullif(i.actor_id, 0), i.candidate_id) AS actor_id, i.client_address, NULL::text AS reason
                FROM input i JOIN account a ON a.id = i.candidate_id
                WHERE i.submitting AND a.status = 'registered' AND i.candidate_id IN (SELECT candidate_id FROM saved)
            ), \(CandidateLifecycle.moves(from: "submitting")), released AS (
                -- A submission that changes the point gives back the seat booked at the old one.
                DELETE FROM appointment ap USING input i, appointment_slot sl
                WHERE ap.candidate_id = i.candidate_id AND i.submitting AND sl.id = ap.slot_id
                  AND sl.point_id IS DISTINCT FROM nullif(i.point_id, '') AND i.candidate_id IN (SELECT candidate_id FROM saved)
                RETURNING ap.candidate_id, ap.slot_id
            ), seat_returned AS (
                UPDATE appointment_seat t SET booked = t.booked - x.seats
                FROM (SELECT slot_id, count(*)::int AS seats FROM released GROUP BY slot_id) x WHERE t.slot_id = x.slot_id
            ), event AS (
                INSERT INTO outbox_event (message_id, aggregate_id, event_type, schema_version, routing_key, payload)
                SELECT i.message_id, 'candidate-' || i.candidate_id, '\(CandidateSubmitted.eventType)', \(CandidateSubmitted.schemaVersion),
                       '\(CandidateSubmitted.routingKey)', i.payload
                FROM input i WHERE i.submitting AND i.candidate_id IN (SELECT candidate_id FROM saved)
                ORDER BY i.candidate_id
            )
            SELECT i.candidate_id, a.status, coalesce(s.version, d.version), EXISTS (SELECT 1 FROM released x WHERE x.candidate_id = i.candidate_id)
            FROM input i
            LEFT JOIN account a ON a.id = i.candidate_id LEFT JOIN saved s ON s.candidate_id = i.candidate_id
            LEFT JOIN drafted d ON d.candidate_id = i.candidate_id
            """
        typealias Row = (Int64, String?, Int?, Bool)

        var ids: [Int64] = [], years: [Int32] = [], basics: [ByteBuffer] = [], keyIDs: [String] = [], choices: [String] = []
        var points: [String] = [], messageIDs: [UUID] = [], payloads: [ByteBuffer] = []
        var submitting: [Bool] = [], actorKinds: [String] = [], actorIDs: [Int64] = [], clientAddresses: [String] = []
        var digests: [String] = []

        init(_ savings: [Saving], cipher: PersonalDataCipher) throws {
            let encoder = JSONEncoder()
            for saving in savings {
                let basicJSON = try encoder.encode(saving.form.basic)
                let basic = try cipher.seal(String(decoding: basicJSON, as: UTF8.self), column: RegistrationStore.basicColumn)
                digests.append(BasicFieldDigests.arrayText(of: basicJSON, cipher: cipher))
                let event = try OutboxEvent(
                    Envelope(event: CandidateSubmitted(
                        candidateID: saving.candidateID, year: saving.year, confirmationPointID: saving.form.confirmationPointID ?? "",
                        choices: saving.choices)),
                    aggregateID: "candidate-\(saving.candidateID)", routingKey: CandidateSubmitted.routingKey)
                ids.append(saving.candidateID)
                years.append(Int32(saving.year))
                basics.append(ByteBuffer(bytes: basic.bytes))
                keyIDs.append(basic.keyID)
                choices.append(String(decoding: try encoder.encode(saving.form.choices), as: UTF8.self))
                points.append(saving.form.confirmationPointID ?? "")
                messageIDs.append(event.messageID)
                payloads.append(ByteBuffer(bytes: event.payload))
                submitting.append(saving.submission != nil)
                actorKinds.append(saving.submission?.actorKind ?? "candidate")
                actorIDs.append(saving.submission?.actorID ?? 0)
                clientAddresses.append(saving.submission?.clientAddress ?? "")
            }
        }

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 13)
            bindings.append(ids)
            bindings.append(years)
            bindings.append(basics)
            bindings.append(keyIDs)
            bindings.append(choices)
            bindings.append(points)
            bindings.append(messageIDs)
            bindings.append(payloads)
            bindings.append(submitting)
            bindings.append(actorKinds)
            bindings.append(actorIDs)
            bindings.append(clientAddresses)
            bindings.append(digests)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// Writes a staff correction of a confirmed candidate's basic information (sealed, with its
    /// field digests) and its audit row naming the fields; refused unless the candidate is
    /// confirmed or beyond, or while their reported data is locked.
    func correctBasic(_ candidateID: Int64, to basic: BasicInformation, fields: [String], by member: StaffMember, clientAddress: String) async throws {
        let json = try JSONEncoder().encode(basic)
        let sealed = try cipher.seal(String(decoding: json, as: UTF8.self), column: Self.basicColumn)
        let digests = BasicFieldDigests.digests(of: json, cipher: cipher)
        try await postgres.withTransaction(logger: logger) { connection in
            let status = try await lockStatus(candidateID, on: connection)
            guard ["pending_city_review", "confirmed", "paid", "exempt"].contains(status) else { throw SubmittedFormCheck.notConfirmed }
            try await ReportedDataLock.check(candidateID, on: connection, logger: logger)
            try await connection.query(
                """
                UPDATE registration SET basic_sealed = \(ByteBuffer(bytes: sealed.bytes)), personal_data_key_id = \(sealed.keyID),
                       basic_digests = \(digests), updated_at = now(), version = version + 1
                WHERE candidate_id = \(candidateID)
                """, logger: logger)
            try await AuditLog.record(
                .staff(member), action: "candidate.form.correct(\(fields.joined(separator: ",")))", target: .candidate(candidateID),
                clientAddress: clientAddress, on: connection, logger: logger)
        }
    }

    /// The candidate's exemption application and its review (Review's table, read here for the
    /// status view).
    func exemption(of candidateID: Int64) async throws -> (stage: ExemptionStage, refusalReason: String?)? {
        try await postgres.query(
            "SELECT status, coalesce(province_reason, city_reason) FROM exemption_application WHERE candidate_id = \(candidateID)", logger: logger
        ).decode((String, String?).self).first { _ in true }.flatMap { status, reason in ExemptionStage(rawValue: status).map { ($0, reason) } }
    }

    func signPledge(_ candidateID: Int64, year: Int, version: String) async throws {
        try await postgres.withTransaction(logger: logger) { connection in
            let status = try await lockStatus(candidateID, on: connection)
            guard status == "registered" || status == "submitted" else { throw RegistrationRefusal.locked(status) }
            try await connection.query(
                """
                INSERT INTO registration (candidate_id, year, pledge_version, pledge_signed_at) VALUES (\(candidateID), \(year), \(version), now())
                ON CONFLICT (candidate_id) DO UPDATE SET pledge_version = excluded.pledge_version, pledge_signed_at = now(), updated_at = now()
                """, logger: logger)
        }
    }

    private func lockStatus(_ candidateID: Int64, on connection: PostgresConnection) async throws -> String {
        let rows = try await connection.query("SELECT status FROM candidate_account WHERE id = \(candidateID) FOR UPDATE", logger: logger)
        for try await status in rows.decode(String.self) { return status }
        throw RegistrationRefusal.unknownCandidate
    }

    func status(_ candidateID: Int64) async throws -> String? {
        for try await status in try await postgres.query("SELECT status FROM candidate_account WHERE id = \(candidateID)", logger: logger).decode(String.self) {
            return status
        }
        return nil
    }

    /// What a submission is checked against that belongs to the candidate, in one query: the
    /// identity document (opened), the registering city and the pledge version signed.
    func submissionBasis(_ candidateID: Int64) async throws -> (document: IdentityDocument, city: String, pledgeVersion: String?)? {
        guard let (_, type, sealed, keyID, city, pledge) = try await bases.submit(candidateID) else { return nil }
        let number = try cipher.open(.init(keyID: keyID, bytes: Array(buffer: sealed)), column: CandidateAccountStore.documentColumn)
        return (IdentityDocument(type: IdentityDocumentType(rawValue: type) ?? .residentID, number: number), city ?? "", pledge)
    }

    /// Read for every submission: concurrent submissions share one prepared query. The ids go
    /// through a sub-select so that the planner cannot see how many there are: it then plans the
    /// query once and reuses the plan, where a visible array made it plan every execution again
    /// (0.4 ms of PostgreSQL's time each, more than the query itself). The point and pledge are
    /// sub-selects, looked up per candidate by key: as joins, that reused plan merged the whole
    /// registration index against the ids (12 ms per call once 6,000 candidates had registered).
    struct SubmissionBases: PostgresPreparedStatement {
        static let sql = """
            SELECT c.id, c.document_type, c.document_number_sealed, c.personal_data_key_id,
                   (SELECT n.parent_id FROM organisation_node n WHERE n.id = c.organisation_node_id),
                   (SELECT r.pledge_version FROM registration r WHERE r.candidate_id = c.id)
            FROM candidate_account c
            WHERE c.id = ANY((SELECT $1::bigint[])::bigint[])
            """
        typealias Row = (Int64, String, ByteBuffer, String, String?, String?)
        let candidateIDs: [Int64]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(candidateIDs)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// The city (市州) the candidate registers in: the parent of the account's county.
    func registeringCity(_ candidateID: Int64) async throws -> String? {
        let rows = try await postgres.query(
            """
            SELECT n.parent_id FROM candidate_account c JOIN organisation_node n ON n.id = c.organisation_node_id WHERE c.id = \(candidateID)
            """, logger: logger)
        for try await city in rows.decode(String?.self) { return city }
        return nil
    }

    func referenceCodes() async throws -> ReferenceCodes {
        if let cached = codes.value { return cached }
        var ethnic = Set<String>(), political = Set<String>(), cities = Set<String>()
        for try await code in try await postgres.query("SELECT code FROM ethnic_group WHERE active", logger: logger).decode(String.self) { ethnic.insert(code) }
        for try await code in try await postgres.query("SELECT code FROM political_status WHERE active", logger: logger).decode(String.self) { political.insert(code) }
        for try await code in try await postgres.query("SELECT id FROM organisation_node WHERE kind = 'city' AND active", logger: logger).decode(String.self) {
            cities.insert(code)
        }
        let result = ReferenceCodes(ethnicGroups: ethnic, politicalStatuses: political, cities: cities)
        codes.value = result
        return result
    }

    /// Approved points, all of a city's or one by id.
    func points(city: String? = nil, id: String? = nil) async throws -> [ConfirmationPointOption] {
        let approved = try await approvedPointsNow()
        if let id { return approved.byID[id].map { point in city == nil || point.cityID == city ? [point] : [] } ?? [] }
        return approved.all.filter { city == nil || $0.cityID == city }
    }

    /// A city's approved points as the candidates' list answers them, encoded once per refresh.
    func pointsJSON(city: String) async throws -> EncodedJSON {
        let approved = try await approvedPointsNow()
        return try approved.jsonByCity[city] ?? EncodedJSON([ConfirmationPointOption]())
    }

    /// The approved points, indexed the ways they are asked for: by id for every submission, by
    /// city (as JSON) for every candidate choosing one.
    struct ApprovedPoints: Sendable {
        let all: [ConfirmationPointOption]
        let byID: [String: ConfirmationPointOption]
        let jsonByCity: [String: EncodedJSON]

        init(_ all: [ConfirmationPointOption]) throws {
            self.all = all
            byID = Dictionary(all.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            jsonByCity = try Dictionary(grouping: all, by: \.cityID).mapValues { try EncodedJSON($0) }
        }
    }

    private func approvedPointsNow() async throws -> ApprovedPoints {
        if let cached = approvedPoints.value { return cached }
        let approved = try ApprovedPoints(try await allApprovedPoints())
        approvedPoints.value = approved
        return approved
    }

    private func allApprovedPoints() async throws -> [ConfirmationPointOption] {
        let rows = try await postgres.query(
            """
            SELECT p.node_id, n.name, county.parent_id, p.county_id, p.address, p.phone, p.levels, p.low_age, p.medical, p.hours::text
            FROM confirmation_point p
            JOIN organisation_node n ON n.id = p.node_id
            JOIN organisation_node county ON county.id = p.county_id
            WHERE p.status = 'approved' AND n.active
            ORDER BY p.county_id, n.name
            """, logger: logger)
        var points: [ConfirmationPointOption] = []
        for try await (id, name, cityID, countyID, address, phone, levels, lowAge, medical, hours) in rows.decode(
            (String, String, String?, String, String, String, [String], Bool, Bool, String).self)
        {
            points.append(
                ConfirmationPointOption(
                    id: id, name: name, cityID: cityID ?? "", countyID: countyID, address: address, phone: phone,
                    levels: levels.compactMap(StudyLevel.init(rawValue:)), lowAge: lowAge, medical: medical,
                    hours: (try? JSONDecoder().decode([[String]].self, from: Data(hours.utf8))) ?? []))
        }
        return points
    }
}
