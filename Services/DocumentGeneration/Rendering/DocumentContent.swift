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
}

/// A character no installed font has, in a value put on a document: the document is still made,
/// and staff see the list (`GET /staff/document-problems`) instead of a blank box on paper.
struct MissingGlyph: Codable, Sendable, Equatable, Hashable {
    /// The template that carried it, for example `{name}`.
    let field: String
    let characters: String
}
