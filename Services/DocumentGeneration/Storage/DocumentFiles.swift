import Access
import Crypto
import Foundation
import Logging
import PostgresNIO

/// The documents' files under `DOCUMENT_STORE`, indexed in `stored_document`. A file is named by
/// its kind, subject and version, so drawing the same version again (a redelivered message)
/// writes the same name; the index row, written in the caller's transaction, is what counts.
///
/// Documents carry personal data (names, photos, a registration record's whole ID number), so a
/// file is sealed like the database's personal data: AES-256-GCM under the current
/// `PERSONAL_DATA_KEYS` key, its id in the file's first line (`EXAMDOC1 <key id>`), its path bound
/// in, so that a file copied over another does not open.
struct DocumentFiles: Sendable {
    let root: URL
    let cipher: PersonalDataCipher

    enum Failure: Error {
        case notADocument(String)
        case writing(String)
    }

    static let header = "EXAMDOC1 "

    struct Stored: Sendable {
        let kind: DocumentKind
        let subject: String
        let version: Int
        let file: String
        let bytes: Int
        let sha256: [UInt8]
        let pages: Int
        let candidateID: Int64?
        let missingGlyphs: [MissingGlyph]
    }

    /// Writes the file (a temporary name, then a rename: a reader never sees half a file). Blocking:
    /// called on NIO's thread pool beside the drawing.
    func write(_ document: RenderedDocument, kind: DocumentKind, subject: String, version: Int, candidateID: Int64?, extension ext: String = "pdf") throws -> Stored {
        let relative = "\(kind.rawValue)/\(Self.shard(subject))/\(subject)-v\(version).\(ext)"
        let url = root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(UUID().uuidString).tmp")
        let sealed = try cipher.seal(bytes: document.pdf, column: "stored_document:" + relative)
        try (Data("\(Self.header)\(sealed.keyID)\n".utf8) + Data(sealed.bytes)).write(to: temporary)
        guard rename(temporary.path, url.path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw Failure.writing(relative)
        }
        return Stored(
            kind: kind, subject: subject, version: version, file: relative, bytes: document.pdf.count, sha256: Array(SHA256.hash(data: document.pdf)),
            pages: document.pages, candidateID: candidateID, missingGlyphs: document.missingGlyphs)
    }

    /// Two levels of 256 directories by the subject's digest, so that no directory grows huge.
    static func shard(_ subject: String) -> String {
        let digest = SHA256.hash(data: Data(subject.utf8))
        return String(format: "%02x/%02x", Array(digest)[0], Array(digest)[1])
    }

    /// The document's bytes, opened.
    func read(_ file: String) throws -> [UInt8] {
        let data = try Data(contentsOf: root.appendingPathComponent(file))
        guard let newline = data.firstIndex(of: 0x0A), data.starts(with: Data(Self.header.utf8)) else { throw Failure.notADocument(file) }
        let keyID = String(decoding: data[data.startIndex + Self.header.utf8.count..<newline], as: UTF8.self)
        return try cipher.openBytes(.init(keyID: keyID, bytes: Array(data[(newline + 1)...])), column: "stored_document:" + file)
    }

    /// The index rows of `stored` (and their glyph problems), in the caller's transaction. A row
    /// already there (the same version made twice) stays as it was.
    static func index(_ stored: [Stored], on connection: PostgresConnection, logger: Logger) async throws {
        guard !stored.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO stored_document (kind, subject, version, file, bytes, sha256, pages)
            SELECT k, s, v, f, b, decode(h, 'hex'), p
            FROM unnest(\(stored.map(\.kind.rawValue))::text[], \(stored.map(\.subject))::text[], \(stored.map(\.version))::int[],
                        \(stored.map(\.file))::text[], \(stored.map(\.bytes))::int[], \(stored.map { $0.sha256.map { String(format: "%02x", $0) }.joined() })::text[],
                        \(stored.map(\.pages))::int[]) AS x(k, s, v, f, b, h, p)
            ON CONFLICT (kind, subject, version) DO NOTHING
            """, logger: logger)
        let problems = stored.flatMap { document in document.missingGlyphs.map { (document, $0) } }
        guard !problems.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO document_glyph_problem (kind, subject, version, candidate_id, field, characters)
            SELECT * FROM unnest(\(problems.map(\.0.kind.rawValue))::text[], \(problems.map(\.0.subject))::text[], \(problems.map(\.0.version))::int[],
                                 \(problems.map { $0.0.candidateID ?? 0 })::int8[], \(problems.map(\.1.field))::text[], \(problems.map(\.1.characters))::text[])
            ON CONFLICT DO NOTHING
            """, logger: logger)
    }
}
