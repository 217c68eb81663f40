import Access
import Contracts
import Foundation
import Logging
import Messaging
import PostgresNIO
import ServiceRuntime

/// Imports a batch of paper draft forms (`registration.paper-forms`), row by row through the web
/// form's own checks (`SubmissionCheck` + `RegistrationRules`): a valid row creates the account
/// (no password until the candidate sets one by SMS code) or updates its registration, and
/// submits it; an invalid row is reported with its fields and reasons.
///
/// Each row's effect and its report line commit together, in chunks; an import interrupted
/// anywhere (a killed worker) is redelivered and resumes after the last committed row, so the
/// end state is the same as an uninterrupted run. A row id stands for one candidate of the point
/// across uploads; a row identical to what was imported before is `unchanged`.
struct PaperFormImporter: MessageHandler {
    let consumerName = "registration.paper-form-import"
    let postgres: PostgresClient
    let cipher: PersonalDataCipher
    let store: RegistrationStore
    let submissions: SubmissionCheck
    let logger: Logger
    /// Rows go to lanes by identity document, so one person's rows stay in order in one lane.
    static let lanes = 4
    static let rowsPerTransaction = 100

    func handle(_ message: IncomingMessage, in transaction: PostgresConnection, logger: Logger) async throws {
        let event = try Envelope<PaperFormBatchUploaded>.decode(message.body).event
        guard let batch = try await PaperFormBatches(postgres: postgres, cipher: cipher, logger: logger).openForImport(event.batchID) else { return }
        let outcome = try await importRows(of: batch)
        try await transaction.query(
            """
            INSERT INTO paper_form_import (batch_id, status, failure, finished_at)
            VALUES (\(batch.id), \(outcome.failure == nil ? "done" : "failed"), \(outcome.failure), clock_timestamp())
            ON CONFLICT (batch_id) DO UPDATE SET status = excluded.status, failure = excluded.failure, finished_at = excluded.finished_at
            """, logger: logger)
        logger.info("paper forms imported", metadata: ["batch": "\(batch.id)", "rows": "\(outcome.rows)", "failure": "\(outcome.failure ?? "-")"])
    }

    /// What `importRows` did: rows handled in this run, or why the file as a whole was refused.
    struct Outcome {
        var rows = 0
        var failure: String?
    }

    func importRows(of batch: PaperFormBatches.Batch) async throws -> Outcome {
        let file: UploadedTable
        do {
            file = try UploadedTable.read(batch.file)
        } catch {
            return Outcome(failure: error.message)
        }
        let (names, headerProblems) = PaperForm.fieldNames(of: file.columns)
        guard headerProblems.isEmpty else { return Outcome(failure: headerProblems.joined(separator: "；")) }
        guard let year = try await submissions.years.current() else { return Outcome(failure: "本年度报名尚未开放") }
        try await postgres.query(
            """
            INSERT INTO paper_form_import (batch_id, status, total_rows) VALUES (\(batch.id), 'importing', \(file.rows.count))
            ON CONFLICT (batch_id) DO UPDATE SET total_rows = excluded.total_rows
            """, logger: logger)

        var done = Set<Int>()
        for try await number in try await postgres.query("SELECT row_number FROM paper_form_row WHERE batch_id = \(batch.id)", logger: logger)
            .decode(Int.self)
        {
            done.insert(number)
        }
        let counties = try await countyCities()

        // Judge every row first (reads only), then write them lane by lane.
        let started = ContinuousClock.now
        var lanes = [[PlannedRow]](repeating: [], count: Self.lanes)
        var seenRowIDs = Set<String>()
        for row in file.rows {
            let planned = try await plan(row, names: names, batch: batch, year: year, counties: counties, seenRowIDs: &seenRowIDs)
            guard !done.contains(row.number) else { continue }
            lanes[planned.lane].append(planned)
        }
        let planned = ContinuousClock.now
        let written = try await withThrowingTaskGroup(of: Int.self) { group in
            for lane in lanes where !lane.isEmpty {
                group.addTask {
                    for chunk in Self.chunks(of: lane) {
                        try await postgres.withTransaction(logger: logger) { connection in
                            try await write(chunk, batch: batch, year: year, on: connection)
                        }
                    }
                    return lane.count
                }
            }
            return try await group.reduce(0, +)
        }
        logger.info(
            "paper forms written",
            metadata: ["batch": "\(batch.id)", "rows": "\(written)", "judging": "\(planned - started)", "writing": "\(ContinuousClock.now - planned)"])
        return Outcome(rows: written)
    }

    /// A row judged: either a form to apply or the problems to report.
    struct PlannedRow: Sendable {
        let number: Int
        let rowID: String?
        let lane: Int
        let verdict: Verdict

        enum Verdict: Sendable {
            case apply(PaperFormApplication)
            case reject([FieldError])
        }
    }

    struct PaperFormApplication: Sendable {
        let rowID: String
        let document: IdentityDocument
        let name: String
        let phone: String
        let countyID: String
        let form: RegistrationForm
        let contentHash: [UInt8]
        let choices: [CandidateSubmitted.Choice]
        /// The person's lookup hash: how the account is found.
        let lookup: [UInt8]
    }

    private func plan(
        _ row: UploadedTable.Row, names: [String: String], batch: PaperFormBatches.Batch, year: ExamYearDocument, counties: [String: String],
        seenRowIDs: inout Set<String>
    ) async throws -> PlannedRow {
        let rawRowID = names.first { $0.value == "rowID" }.flatMap { row.cells[$0.key] }
        func reject(_ problems: [FieldError], lane: Int? = nil) -> PlannedRow {
            PlannedRow(number: row.number, rowID: rawRowID.map { String($0.prefix(40)) }, lane: lane ?? row.number % Self.lanes, verdict: .reject(problems))
        }
        let paper: PaperForm
        switch PaperForm.read(row, names: names, point: batch.pointID) {
        case .problems(let problems): return reject(problems)
        case .form(let form): paper = form
        }
        guard seenRowIDs.insert(paper.rowID).inserted else {
            return reject([FieldError(field: "rowID", code: "row_id.repeated", message: "草表编号在本文件中重复")])
        }
        guard let city = counties[paper.countyID] else {
            return reject([FieldError(field: "countyID", code: "county.unknown", message: "没有这个县市区")])
        }
        // The pledge is signed on paper (the candidate copies it out at the point).
        let context = try await submissions.context(
            document: paper.document, registeringCity: city, pledgeVersion: year.pledge.version, form: paper.form, year: year)
        let lookup = cipher.documentLookup(paper.document)
        let lane = Int(lookup.first ?? 0) % Self.lanes
        let problems = RegistrationRules.check(paper.form, context)
        guard problems.isEmpty else { return reject(problems, lane: lane) }
        return PlannedRow(
            number: row.number, rowID: paper.rowID, lane: lane,
            verdict: .apply(PaperFormApplication(
                rowID: paper.rowID, document: paper.document, name: paper.name, phone: paper.phone, countyID: paper.countyID, form: paper.form,
                contentHash: paper.contentHash, choices: SubmissionCheck.eventChoices(context), lookup: lookup)))
    }

    /// Consecutive rows of a lane, at most `rowsPerTransaction`, never one person twice (a
    /// chunk is written with set-based statements that take each candidate once).
    static func chunks(of lane: [PlannedRow]) -> [[PlannedRow]] {
        var chunks: [[PlannedRow]] = []
        var current: [PlannedRow] = []
        var people = Set<[UInt8]>()
        for row in lane {
            let person: [UInt8]? = if case .apply(let application) = row.verdict { application.lookup } else { nil }
            if current.count == rowsPerTransaction || (person.map { people.contains($0) } ?? false) {
                chunks.append(current)
                current = []
                people = []
            }
            current.append(row)
            if let person { people.insert(person) }
        }
        if !current.isEmpty { chunks.append(current) }
        return chunks
    }

    /// What became of a row, as the report keeps it.
    struct RowReport {
        let number: Int
        let rowID: String?
        let outcome: String
        var candidateID: Int64?
        var problems: [FieldError] = []
    }

    /// One chunk in one transaction: entries and accounts read (and locked) at once, new
    /// accounts inserted at once, the forms saved and submitted in one statement, the entries and
    /// the report lines written at once.
    private func write(_ rows: [PlannedRow], batch: PaperFormBatches.Batch, year: ExamYearDocument, on connection: PostgresConnection) async throws {
        var reports: [RowReport] = []
        var applications: [(row: PlannedRow, application: PaperFormApplication)] = []
        for row in rows {
            switch row.verdict {
            case .reject(let problems): reports.append(RowReport(number: row.number, rowID: row.rowID, outcome: "error", problems: problems))
            case .apply(let application): applications.append((row, application))
            }
        }
        var entries: [String: (candidateID: Int64, hash: [UInt8])] = [:]
        var accounts: [[UInt8]: (id: Int64, status: String)] = [:]
        if !applications.isEmpty {
            for try await (rowID, candidateID, hash) in try await connection.query(
                """
                SELECT row_id, candidate_id, content_hash FROM paper_form_entry
                WHERE point_id = \(batch.pointID) AND row_id = ANY(\(applications.map(\.application.rowID))) ORDER BY row_id FOR UPDATE
                """, logger: logger
            ).decode((String, Int64, ByteBuffer).self) {
                entries[rowID] = (candidateID, Array(buffer: hash))
            }
            let lookups = applications.map { ByteBuffer(bytes: $0.application.lookup) }
            for try await (lookup, id, status) in try await connection.query(
                "SELECT document_number_lookup, id, status FROM candidate_account WHERE document_number_lookup = ANY(\(lookups)) ORDER BY id FOR UPDATE",
                logger: logger
            ).decode((ByteBuffer, Int64, String).self) {
                accounts[Array(buffer: lookup)] = (id, status)
            }
        }

        var toCreate: [PaperFormApplication] = []
        var toSave: [(row: PlannedRow, application: PaperFormApplication, outcome: String)] = []
        for (row, application) in applications {
            let account = accounts[application.lookup]
            if let entry = entries[application.rowID], entry.candidateID != account?.id {
                reports.append(RowReport(
                    number: row.number, rowID: row.rowID, outcome: "error",
                    problems: [FieldError(field: "rowID", code: "row_id.other_candidate", message: "该草表编号已用于另一名考生")]))
            } else if let entry = entries[application.rowID], let account, entry.hash == application.contentHash {
                reports.append(RowReport(number: row.number, rowID: row.rowID, outcome: "unchanged", candidateID: account.id))
            } else if let account, !["registered", "submitted"].contains(account.status) {
                reports.append(RowReport(number: row.number, rowID: row.rowID, outcome: "error", candidateID: account.id, problems: [Self.locked]))
            } else {
                if account == nil { toCreate.append(application) }
                toSave.append((row, application, account == nil ? "created" : "updated"))
            }
        }
        for (lookup, id) in try await createAccounts(toCreate, on: connection) { accounts[lookup] = (id, "registered") }

        let savings = toSave.map { saving in
            RegistrationStore.Saving(
                candidateID: accounts[saving.application.lookup]!.id, year: year.year, form: saving.application.form,
                submission: .init(clientAddress: batch.uploadedFrom, staffID: batch.uploadedBy), choices: saving.application.choices)
        }
        let saved = try await store.save(savings, on: connection)
        var savedIDs: [Int64] = []
        var entryRows: [(rowID: String, candidateID: Int64, hash: [UInt8])] = []
        for (row, application, outcome) in toSave {
            let candidateID = accounts[application.lookup]!.id
            guard saved[candidateID]?.revision != nil else {
                reports.append(RowReport(number: row.number, rowID: row.rowID, outcome: "error", candidateID: candidateID, problems: [Self.locked]))
                continue
            }
            savedIDs.append(candidateID)
            entryRows.append((application.rowID, candidateID, application.contentHash))
            reports.append(RowReport(number: row.number, rowID: row.rowID, outcome: outcome, candidateID: candidateID))
        }
        if !savedIDs.isEmpty {
            // The pledge is signed on paper (the candidate copies it out at the point).
            try await connection.query(
                """
                UPDATE registration SET pledge_version = \(year.pledge.version), pledge_signed_at = coalesce(pledge_signed_at, now())
                WHERE candidate_id = ANY(\(savedIDs))
                """, logger: logger)
            try await connection.query(
                """
                INSERT INTO paper_form_entry (point_id, row_id, candidate_id, content_hash)
                SELECT \(batch.pointID), * FROM unnest(\(entryRows.map(\.rowID))::text[], \(entryRows.map(\.candidateID))::bigint[],
                                                     \(entryRows.map { ByteBuffer(bytes: $0.hash) })::bytea[])
                ON CONFLICT (point_id, row_id) DO UPDATE SET content_hash = excluded.content_hash
                """, logger: logger)
        }
        try await record(reports, batch: batch, on: connection)
    }

    static let locked = FieldError(field: "documentNumber", code: "registration.locked", message: "该考生已现场确认，不能再由草表修改")

    /// New accounts (no password yet), by lookup hash: all of them, or the batch fails (rows
    /// were checked as new under the batch's locks).
    private func createAccounts(_ applications: [PaperFormApplication], on connection: PostgresConnection) async throws -> [[UInt8]: Int64] {
        let accounts = CandidateAccountStore(postgres: postgres, cipher: cipher, logger: logger)
        let created = try await accounts.create(
            applications.map { .init(document: $0.document, name: $0.name, phone: $0.phone, passwordHash: nil, countyID: $0.countyID) },
            on: connection)
        guard created.count == applications.count else { throw PaperFormImportFailure.accountNotCreated }
        return created
    }

    private func record(_ reports: [RowReport], batch: PaperFormBatches.Batch, on connection: PostgresConnection) async throws {
        guard !reports.isEmpty else { return }
        let problems = try reports.map { $0.problems.isEmpty ? "" : String(decoding: try JSONEncoder().encode($0.problems), as: UTF8.self) }
        try await connection.query(
            """
            INSERT INTO paper_form_row (batch_id, row_number, row_id, outcome, candidate_id, problems)
            SELECT \(batch.id), t.number, nullif(t.row_id, ''), t.outcome, nullif(t.candidate_id, 0), nullif(t.problems, '')::jsonb
            FROM unnest(\(reports.map(\.number))::int[], \(reports.map { $0.rowID ?? "" })::text[], \(reports.map(\.outcome))::text[],
                        \(reports.map { $0.candidateID ?? 0 })::bigint[], \(problems)::text[])
                AS t(number, row_id, outcome, candidate_id, problems)
            """, logger: logger)
    }

    /// Every active county with its city.
    private func countyCities() async throws -> [String: String] {
        var cities: [String: String] = [:]
        for try await (county, city) in try await postgres.query(
            "SELECT id, parent_id FROM organisation_node WHERE kind = 'county' AND active AND parent_id IS NOT NULL", logger: logger
        ).decode((String, String).self) {
            cities[county] = city
        }
        return cities
    }
}

enum PaperFormImportFailure: Error {
    case accountNotCreated
}
