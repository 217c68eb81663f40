import CPDFCanvas

/// One PDF being drawn (CPDFCanvas: Pango and cairo), in millimetres from the page's top left.
/// Used by one thread from `init` to `finish()`.
final class PDFCanvas {
    enum Failure: Error, Equatable {
        case surface
        case notAJPEG
        case qrTooLong
        case writing
    }

    struct Text {
        enum Alignment: String, Codable, Sendable { case left, center, right }
        enum VerticalAlignment: String, Codable, Sendable { case top, middle, bottom }
        var family: String
        var bold = false
        var size: Double
        var align: Alignment = .left
        var valign: VerticalAlignment = .top
        var wrap = false
    }

    private var document: OpaquePointer?

    init(widthMM: Double, heightMM: Double, title: String) throws {
        guard let document = exam_pdf_begin(widthMM, heightMM, title) else { throw Failure.surface }
        self.document = document
    }

    deinit {
        // Abandoned (an error on the way): release without keeping the bytes.
        if let document {
            var bytes: UnsafeMutablePointer<UInt8>?
            var length = 0
            if exam_pdf_end(document, &bytes, &length) == 0 { exam_pdf_free(bytes) }
        }
    }

    func nextPage() { exam_pdf_next_page(document) }

    /// What drawing a text did: the size it fitted at, and how many characters no font has.
    struct Drawn: Equatable {
        let size: Double
        let unknownGlyphs: Int
    }

    /// Draws the text in the box, smaller if it would not fit.
    @discardableResult
    func text(_ text: String, _ style: Text, x: Double, y: Double, width: Double, height: Double) -> Drawn {
        var unknown: Int32 = 0
        let size = exam_pdf_text(
            document, text, style.family, style.bold ? 1 : 0, style.size, x, y, width, height,
            style.align == .center ? 1 : style.align == .right ? 2 : 0,
            style.valign == .middle ? 1 : style.valign == .bottom ? 2 : 0, style.wrap ? 1 : 0, &unknown)
        return Drawn(size: size, unknownGlyphs: Int(unknown))
    }

    /// The characters of `text` that no installed font has.
    func missingCharacters(in text: String, family: String) -> [Character] {
        text.filter { exam_pdf_unknown_glyphs(document, String($0), family) > 0 }.map { $0 }
    }

    func line(x1: Double, y1: Double, x2: Double, y2: Double, widthPt: Double, dashed: Bool) {
        exam_pdf_line(document, x1, y1, x2, y2, widthPt, dashed ? 1 : 0)
    }

    func rect(x: Double, y: Double, width: Double, height: Double, linePt: Double, fill: Double?) {
        exam_pdf_rect(document, x, y, width, height, linePt, fill ?? -1)
    }

    /// A JPEG, stored once per file for each nonzero `id`.
    func jpeg(_ bytes: [UInt8], id: UInt64, x: Double, y: Double, width: Double, height: Double) throws {
        let status = bytes.withUnsafeBufferPointer { exam_pdf_jpeg(document, $0.baseAddress, $0.count, id, x, y, width, height) }
        guard status == 0 else { throw Failure.notAJPEG }
    }

    func qr(_ payload: String, x: Double, y: Double, size: Double) throws {
        let bytes = Array(payload.utf8)
        let status = bytes.withUnsafeBufferPointer { exam_pdf_qr(document, $0.baseAddress, $0.count, x, y, size) }
        guard status == 0 else { throw Failure.qrTooLong }
    }

    /// The finished file.
    func finish() throws -> [UInt8] {
        var bytes: UnsafeMutablePointer<UInt8>?
        var length = 0
        let status = exam_pdf_end(document, &bytes, &length)
        document = nil
        guard status == 0, let bytes else { throw Failure.writing }
        defer { exam_pdf_free(bytes) }
        return Array(UnsafeBufferPointer(start: bytes, count: length))
    }
}
