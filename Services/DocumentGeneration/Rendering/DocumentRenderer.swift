import Foundation

/// A document's file: its pages drawn from layouts and content, with what could not be printed.
struct RenderedDocument: Sendable {
    let pdf: [UInt8]
    let pages: Int
    let missingGlyphs: [MissingGlyph]
}

/// Why a layout cannot be drawn with some content: a mistake in the layout, found when a year's
/// layout is put (it is tried on sample content first) or by the tests of the bundled ones.
enum LayoutError: Error, Equatable, CustomStringConvertible {
    case unknownValue(String)
    case unknownList(String)
    case badGrid(String)
    case canvas(PDFCanvas.Failure)

    var description: String {
        switch self {
        case .unknownValue(let name): "版式引用了不存在的字段 {\(name)}"
        case .unknownList(let name): "版式引用了不存在的列表 \(name)"
        case .badGrid(let name): "列表 \(name) 的行数、列数须为正数"
        case .canvas(let failure): "无法绘制：\(failure)"
        }
    }
}

/// Draws sections (a layout with its content, one or more pages each) into one PDF.
enum DocumentRenderer {
    struct Section: Sendable {
        let layout: Layout
        let content: DocumentContent
    }

    static func render(_ sections: [Section], title: String) throws -> RenderedDocument {
        guard let first = sections.first else { throw LayoutError.unknownList("(none)") }
        let canvas = try PDFCanvas(widthMM: first.layout.page.width, heightMM: first.layout.page.height, title: title)
        var missing: [MissingGlyph] = []
        var pages = 0
        for section in sections {
            let count = try pageCount(of: section)
            for page in 0..<count {
                if pages > 0 { canvas.nextPage() }
                pages += 1
                var page = PageDrawing(canvas: canvas, layout: section.layout, content: section.content, page: page, pages: count)
                do {
                    try page.draw(section.layout.elements, item: nil, originX: 0, originY: 0)
                } catch let failure as PDFCanvas.Failure {
                    throw LayoutError.canvas(failure)
                }
                missing += page.missing
            }
        }
        return RenderedDocument(pdf: try canvas.finish(), pages: pages, missingGlyphs: Array(Set(missing)).sorted { $0.field < $1.field })
    }

    /// As many pages as the longest list needs (at least one).
    static func pageCount(of section: Section) throws -> Int {
        var pages = 1
        for case .repeat(let grid) in section.layout.elements {
            guard grid.rows > 0, grid.columns > 0 else { throw LayoutError.badGrid(grid.list) }
            guard let items = section.content.lists[grid.list] else { throw LayoutError.unknownList(grid.list) }
            pages = max(pages, (items.count + grid.rows * grid.columns - 1) / (grid.rows * grid.columns))
        }
        return pages
    }
}

/// One page being drawn.
private struct PageDrawing {
    let canvas: PDFCanvas
    let layout: Layout
    let content: DocumentContent
    let page: Int
    let pages: Int
    var missing: [MissingGlyph] = []

    init(canvas: PDFCanvas, layout: Layout, content: DocumentContent, page: Int, pages: Int) {
        self.canvas = canvas
        self.layout = layout
        self.content = content
        self.page = page
        self.pages = pages
    }

    mutating func draw(_ elements: [Layout.Element], item: [String: String]?, originX: Double, originY: Double) throws {
        for element in elements {
            switch element {
            case .text(let text):
                let value = try fill(text.text, item)
                let style = PDFCanvas.Text(
                    family: layout.font, bold: text.bold ?? false, size: text.size, align: text.align ?? .left, valign: text.valign ?? .top,
                    wrap: text.wrap ?? false)
                if canvas.text(value, style, x: originX + text.x, y: originY + text.y, width: text.width, height: text.height).unknownGlyphs > 0 {
                    missing.append(MissingGlyph(field: text.text, characters: String(canvas.missingCharacters(in: value, family: layout.font))))
                }
            case .box(let box):
                canvas.rect(x: originX + box.x, y: originY + box.y, width: box.width, height: box.height, linePt: box.line ?? 0.5, fill: box.fill)
            case .line(let line):
                canvas.line(
                    x1: originX + line.x1, y1: originY + line.y1, x2: originX + line.x2, y2: originY + line.y2, widthPt: line.width ?? 0.5,
                    dashed: line.dashed ?? false)
            case .image(let image):
                let key = try fill(image.image, item)
                if let photo = content.photos[key] {
                    try canvas.jpeg(photo.jpeg, id: photo.id, x: originX + image.x, y: originY + image.y, width: image.width, height: image.height)
                } else {
                    canvas.rect(x: originX + image.x, y: originY + image.y, width: image.width, height: image.height, linePt: 0.3, fill: nil)
                    canvas.text(
                        image.missing ?? "无照片", .init(family: layout.font, size: 9, align: .center, valign: .middle),
                        x: originX + image.x, y: originY + image.y, width: image.width, height: image.height)
                }
            case .qr(let qr):
                try canvas.qr(try fill(qr.value, item), x: originX + qr.x, y: originY + qr.y, size: qr.size)
            case .repeat(let grid):
                guard let items = content.lists[grid.list] else { throw LayoutError.unknownList(grid.list) }
                let perPage = grid.rows * grid.columns
                for (index, entry) in items.dropFirst(page * perPage).prefix(perPage).enumerated() {
                    let x = originX + grid.x + Double(index % grid.columns) * grid.cellWidth
                    let y = originY + grid.y + Double(index / grid.columns) * grid.cellHeight
                    try draw(grid.elements, item: entry, originX: x, originY: y)
                }
            }
        }
    }

    /// The template with its `{name}`s replaced.
    func fill(_ template: String, _ item: [String: String]?) throws -> String {
        guard template.contains("{") else { return template }
        var result = ""
        var rest = template[...]
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            result += rest[..<open]
            let name = String(rest[rest.index(after: open)..<close])
            switch name {
            case "page": result += String(page + 1)
            case "pages": result += String(pages)
            default:
                guard let value = item?[name] ?? content.values[name] else { throw LayoutError.unknownValue(name) }
                result += value
            }
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }
}
