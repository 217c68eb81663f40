import Foundation
import Logging
import PostgresNIO

/// The layout of each page kind for a year: the year's own (`document_layout`) or the bundled one.
struct LayoutBook: Sendable {
    let layouts: [PageKind: Layout]

    subscript(kind: PageKind) -> Layout { layouts[kind]! }

    /// The bundled layouts, decoded once per process.
    static let bundled: [PageKind: Layout] = Dictionary(uniqueKeysWithValues: PageKind.allCases.map { ($0, try! $0.bundledLayout) })

    static func of(year: Int, on connection: PostgresConnection, logger: Logger) async throws -> LayoutBook {
        var layouts = bundled
        for try await (kind, json) in try await connection.query(
            "SELECT page_kind, layout::text FROM document_layout WHERE year = \(year)", logger: logger
        ).decode((String, String).self) {
            guard let kind = PageKind(rawValue: kind) else { continue }
            layouts[kind] = try JSONDecoder().decode(Layout.self, from: Data(json.utf8))
        }
        return LayoutBook(layouts: layouts)
    }
}
