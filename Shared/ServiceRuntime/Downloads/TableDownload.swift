import Foundation
import ZIPFoundation

/// A table people download (a report's data, a per-row report): a header row and text cells,
/// written as CSV (UTF-8 with a byte-order mark, so that Excel reads the Chinese) or as an XLSX
/// workbook of one worksheet (inline strings: every cell is text, so that ID and candidate
/// numbers keep their digits).
public struct TableDownload: Sendable {
    public let columns: [String]
    public let rows: [[String]]

    public init(columns: [String], rows: [[String]]) {
        self.columns = columns
        self.rows = rows
    }

    public func csv() -> [UInt8] {
        func cell(_ text: String) -> String {
            // Quoted when it must be; a leading formula character is neutralised (CSV injection).
            var value = text
            if let first = value.first, "=+-@".contains(first) { value = "'" + value }
            guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
            return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        var text = ""
        for row in [columns] + rows { text += row.map(cell).joined(separator: ",") + "\r\n" }
        return [0xEF, 0xBB, 0xBF] + Array(text.utf8)
    }

    public func xlsx(sheetName: String = "Sheet1") throws -> [UInt8] {
        func escaped(_ text: String) -> String {
            var out = ""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "&": out += "&amp;"
                case "<": out += "&lt;"
                case ">": out += "&gt;"
                case "\"": out += "&quot;"
                // Characters XML 1.0 cannot carry are left out.
                case _ where scalar.value < 0x20 && scalar != "\t" && scalar != "\n" && scalar != "\r": continue
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out
        }
        var sheet = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#
        for (index, row) in ([columns] + rows).enumerated() {
            sheet += #"<row r="\#(index + 1)">"#
            for value in row { sheet += #"<c t="inlineStr"><is><t xml:space="preserve">\#(escaped(value))</t></is></c>"# }
            sheet += "</row>"
        }
        sheet += "</sheetData></worksheet>"
        let parts: [(String, String)] = [
            (
                "[Content_Types].xml",
                #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#
            ),
            (
                "_rels/.rels",
                #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
            ),
            (
                "xl/workbook.xml",
                #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="\#(escaped(sheetName))" sheetId="1" r:id="rId1"/></sheets></workbook>"#
            ),
            (
                "xl/_rels/workbook.xml.rels",
                #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#
            ),
            ("xl/worksheets/sheet1.xml", sheet),
        ]
        let archive = try Archive(data: Data(), accessMode: .create)
        for (path, text) in parts {
            let data = Data(text.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        return Array(archive.data ?? Data())
    }
}
