import Foundation

/// A page of a document kind as data: its size, font and elements, positioned in millimetres from
/// the top left. Text is a template: `{name}` is the content's value `name` (inside a `repeat`,
/// the item's first), `{page}` and `{pages}` count the pages. A year's layout can replace the
/// bundled one (`PUT /staff/document-layouts/{kind}`) without a release.
struct Layout: Codable, Sendable, Equatable {
    struct Size: Codable, Sendable, Equatable {
        let width: Double
        let height: Double
    }

    let page: Size
    /// The font family (fontconfig's name), for example "Noto Sans CJK SC".
    let font: String
    let elements: [Element]
}

extension Layout {
    struct Text: Codable, Sendable, Equatable {
        let text: String
        let x: Double
        let y: Double
        let width: Double
        let height: Double
        /// Points; text that does not fit is drawn smaller, never cut.
        let size: Double
        let bold: Bool?
        let align: PDFCanvas.Text.Alignment?
        let valign: PDFCanvas.Text.VerticalAlignment?
        let wrap: Bool?
    }

    struct Box: Codable, Sendable, Equatable {
        let x: Double
        let y: Double
        let width: Double
        let height: Double
        /// The outline's width in points (0: none; default 0.5).
        let line: Double?
        /// A grey fill, 0 black to 1 white.
        let fill: Double?
    }

    struct Line: Codable, Sendable, Equatable {
        let x1: Double
        let y1: Double
        let x2: Double
        let y2: Double
        let width: Double?
        let dashed: Bool?
    }

    /// A photo: `image` names one of the content's images (a template); when the content has none,
    /// `missing` is written in the box instead.
    struct Image: Codable, Sendable, Equatable {
        let image: String
        let x: Double
        let y: Double
        let width: Double
        let height: Double
        let missing: String?
    }

    struct QR: Codable, Sendable, Equatable {
        let value: String
        let x: Double
        let y: Double
        let size: Double
    }

    /// The elements drawn once per item of the content's list `list`, in a grid of cells filled
    /// row by row; a list longer than the grid continues on further pages of the same layout.
    struct Repeat: Codable, Sendable, Equatable {
        let list: String
        let x: Double
        let y: Double
        let columns: Int
        let rows: Int
        let cellWidth: Double
        let cellHeight: Double
        let elements: [Element]
    }

    indirect enum Element: Codable, Sendable, Equatable {
        case text(Text)
        case box(Box)
        case line(Line)
        case image(Image)
        case qr(QR)
        case `repeat`(Repeat)

        private enum Kind: String, Codable {
            case text, box, line, image, qr, `repeat`
        }

        private enum Key: String, CodingKey { case type }

        init(from decoder: any Decoder) throws {
            switch try decoder.container(keyedBy: Key.self).decode(Kind.self, forKey: .type) {
            case .text: self = .text(try Text(from: decoder))
            case .box: self = .box(try Box(from: decoder))
            case .line: self = .line(try Line(from: decoder))
            case .image: self = .image(try Image(from: decoder))
            case .qr: self = .qr(try QR(from: decoder))
            case .repeat: self = .repeat(try Repeat(from: decoder))
            }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            switch self {
            case .text(let element): try container.encode(Kind.text, forKey: .type); try element.encode(to: encoder)
            case .box(let element): try container.encode(Kind.box, forKey: .type); try element.encode(to: encoder)
            case .line(let element): try container.encode(Kind.line, forKey: .type); try element.encode(to: encoder)
            case .image(let element): try container.encode(Kind.image, forKey: .type); try element.encode(to: encoder)
            case .qr(let element): try container.encode(Kind.qr, forKey: .type); try element.encode(to: encoder)
            case .repeat(let element): try container.encode(Kind.repeat, forKey: .type); try element.encode(to: encoder)
            }
        }
    }
}
