import Access
import NIOCore
import Photos

/// What fills a layout: values by name, lists for its `repeat` elements, and photos.
struct DocumentContent: Sendable {
    struct Photo: Sendable {
        let jpeg: [UInt8]
        /// The same id is the same photo: stored once per file (a candidate on several sheets).
        let id: UInt64
    }

    var values: [String: String] = [:]
    var lists: [String: [[String: String]]] = [:]
    var photos: [String: Photo] = [:]

    /// Photos above this size are shrunk to print size first (a stored photo is 480x640, about
    /// 50 KB; printed 36x48 mm it needs a fifth of that), so that a ticket stays well under 150 KB.
    static let largestPrintedPhoto = 40_000

    /// The content with its photos at print size. Blocking (libgd): on NIO's thread pool.
    func printSized() throws -> DocumentContent {
        var content = self
        for (key, photo) in photos where photo.jpeg.count > Self.largestPrintedPhoto {
            content.photos[key] = Photo(jpeg: try ImageNormaliser.resized(photo.jpeg, rules: .printedPhoto), id: photo.id)
        }
        return content
    }
}

/// A character no installed font has, in a value put on a document: the document is still made,
/// and staff see the list (`GET /staff/document-problems`) instead of a blank box on paper.
struct MissingGlyph: Codable, Sendable, Equatable, Hashable {
    /// The template that carried it, for example `{name}`.
    let field: String
    let characters: String
}

extension DocumentContent.Photo {
    /// The candidate's photo from `candidate_photo`: the print-size copy made at capture when
    /// there is one (`print`), the stored photo otherwise (`printSized()` shrinks it then).
    static func sealed(
        print: ByteBuffer?, original: ByteBuffer?, keyID: String?, candidateID: Int64, cipher: PersonalDataCipher
    ) throws -> DocumentContent.Photo? {
        guard let keyID, let bytes = print ?? original else { return nil }
        let column = print == nil ? "candidate_photo.jpeg" : "candidate_photo.print_jpeg"
        return DocumentContent.Photo(jpeg: try cipher.openBytes(.init(keyID: keyID, bytes: Array(buffer: bytes)), column: column), id: UInt64(candidateID))
    }
}
