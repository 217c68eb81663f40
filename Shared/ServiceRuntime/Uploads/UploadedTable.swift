import Foundation
import FoundationXML
import SwiftCSV
import ZIPFoundation

/// An uploaded table (a batch of paper draft forms, a city's bonus list) read into rows of named
/// cells: CSV (UTF-8, with or without a byte-order mark) or XLSX (the first worksheet). The first
/// row names the columns. The format is told by the bytes (`TableFile`), not by the file's name.
public struct UploadedTable: Sendable {
    public struct Row: Sendable {
        /// 1-based line of the data row in the file (the header is line 1).
        public let number: Int
        public let cells: [String: String]

        public init(number: Int, cells: [String: String]) {
            self.number = number
            self.cells = cells
        }
    }

    public let columns: [String]
    public let rows: [Row]

    public enum Problem: Error, Equatable {
        case notUTF8
        case unreadableCSV
        case unreadableXLSX(String)
        case empty
        case tooManyRows(limit: Int)

        public var message: String {
            switch self {
            case .notUTF8: "CSV 文件须为 UTF-8 编码"
            case .unreadableCSV: "无法读取 CSV 文件"
            case .unreadableXLSX(let detail): "无法读取 XLSX 文件（\(detail)）"
            case .empty: "文件中没有数据行"
            case .tooManyRows(let limit): "一个文件最多 \(limit) 行"
            }
        }
    }

    public static let maxRows = 50_000

    public static func read(_ bytes: [UInt8]) throws(Problem) -> UploadedTable {
        let table: [[String]]
        switch TableFile.sniff(bytes) {
        case .xlsx: table = try XLSXSheet.firstSheet(of: bytes)
        case .csv(let text): table = try csv(text)
        case nil: throw .notUTF8
        }
        guard let header = table.first else { throw .empty }
        let columns = header.map { $0.trimmingCharacters(in: .whitespaces) }
        var rows: [Row] = []
        for (index, values) in table.dropFirst().enumerated() {
            // Lines left blank (a spreadsheet's trailing rows) are not rows.
            guard values.contains(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) else { continue }
            var cells: [String: String] = [:]
            for (column, value) in zip(columns, values) where !column.isEmpty {
                let trimmed = value.trimmingCharacters(in: .whitespaces)
                if !trimmed.isEmpty { cells[column] = trimmed }
            }
            rows.append(Row(number: index + 2, cells: cells))
        }
        guard !rows.isEmpty else { throw .empty }
        guard rows.count <= maxRows else { throw .tooManyRows(limit: maxRows) }
        return UploadedTable(columns: columns, rows: rows)
    }

    private static func csv(_ text: String) throws(Problem) -> [[String]] {
        do {
            let parsed = try EnumeratedCSV(string: text, loadColumns: false)
            return [parsed.header] + parsed.rows
        } catch {
            throw .unreadableCSV
        }
    }
}

/// The cells of an XLSX workbook's first worksheet, as text: shared strings, inline strings and
/// numbers as written. Entries are size-checked before they are inflated (no ZIP bombs).
public enum XLSXSheet {
    static let maxEntryBytes: UInt64 = 200 << 20

    static func firstSheet(of bytes: [UInt8]) throws(UploadedTable.Problem) -> [[String]] {
        do {
            let archive = try Archive(data: Data(bytes), accessMode: .read)
            let strings = try archive["xl/sharedStrings.xml"].map { try parseSharedStrings(try extract($0, from: archive)) } ?? []
            let sheets = archive.filter { $0.path.hasPrefix("xl/worksheets/sheet") && $0.path.hasSuffix(".xml") }
                .sorted { $0.path.localizedStandardCompare($1.path) == .orderedAscending }
            guard let first = sheets.first else { throw UploadedTable.Problem.unreadableXLSX("没有工作表") }
            return try parseSheet(try extract(first, from: archive), strings: strings)
        } catch let problem as UploadedTable.Problem {
            throw problem
        } catch {
            throw .unreadableXLSX("不是有效的 XLSX 文件")
        }
    }

    private static func extract(_ entry: Entry, from archive: Archive) throws -> Data {
        guard entry.uncompressedSize <= maxEntryBytes else { throw UploadedTable.Problem.unreadableXLSX("工作表过大") }
        var data = Data()
        _ = try archive.extract(entry, skipCRC32: false) { chunk in
            data.append(chunk)
            if data.count > maxEntryBytes { throw UploadedTable.Problem.unreadableXLSX("工作表过大") }
        }
        return data
    }

    private static func parseSharedStrings(_ data: Data) throws -> [String] {
        let reader = SharedStringsReader()
        let parser = XMLParser(data: data)
        parser.delegate = reader
        guard parser.parse() else { throw UploadedTable.Problem.unreadableXLSX("共享字符串表损坏") }
        return reader.strings
    }

    private static func parseSheet(_ data: Data, strings: [String]) throws -> [[String]] {
        let reader = SheetReader(strings: strings)
        let parser = XMLParser(data: data)
        parser.delegate = reader
        guard parser.parse(), !reader.failed else { throw UploadedTable.Problem.unreadableXLSX("工作表损坏") }
        return reader.rows
    }

    /// Column index of a cell reference such as `AB12` (A = 0).
    public static func columnIndex(_ reference: String) -> Int? {
        var index = 0
        var letters = 0
        for scalar in reference.unicodeScalars {
            guard ("A"..."Z").contains(scalar) else { break }
            index = index * 26 + Int(scalar.value - 64)
            letters += 1
        }
        return letters == 0 || letters > 3 ? nil : index - 1
    }
}

/// `<si>` items of `xl/sharedStrings.xml`, their `<t>` runs joined.
private final class SharedStringsReader: NSObject, XMLParserDelegate {
    var strings: [String] = []
    private var current = ""
    private var inText = false

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        if name == "si" { current = "" }
        if name == "t" { inText = true }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inText { current += string }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "t" { inText = false }
        if name == "si" { strings.append(current) }
    }
}

/// `<row>`s of a worksheet: each `<c r="B2" t="s|inlineStr|str|n|b">` placed by its reference.
private final class SheetReader: NSObject, XMLParserDelegate {
    let strings: [String]
    var rows: [[String]] = []
    var failed = false
    private var row: [String] = []
    private var column = 0
    private var type = ""
    private var value = ""
    private var capturing = false

    init(strings: [String]) { self.strings = strings }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        switch name {
        case "row": row = []; column = 0
        case "c":
            column = attributes["r"].flatMap(XLSXSheet.columnIndex) ?? column
            type = attributes["t"] ?? "n"
            value = ""
        case "v", "t": capturing = true
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if capturing { value += string }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        switch name {
        case "v", "t": capturing = false
        case "c":
            var text = value
            if type == "s" {
                guard let index = Int(value), strings.indices.contains(index) else { failed = true; return }
                text = strings[index]
            }
            guard column < 1000 else { failed = true; return }
            if row.count < column { row += Array(repeating: "", count: column - row.count) }
            if row.count == column { row.append(text) } else { row[column] = text }
            column += 1
        case "row": rows.append(row)
        default: break
        }
    }
}
