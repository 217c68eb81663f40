import Foundation

/// A dBase III table (the `.dbf` files the plan's desktop tools read), text in GBK. Character
/// fields are left-aligned and padded with spaces; numbers right-aligned. Text longer than its
/// field is cut at a character boundary; the fields are wide enough for every value the rules
/// allow (README, "Exports"), so this only guards the format.
struct DBFFile {
    struct Field {
        /// Up to 10 ASCII characters.
        let name: String
        /// `C` (text) or `N` (number).
        let type: Character
        let length: Int
    }

    let fields: [Field]
    /// Already in GBK, one array of bytes per field.
    private(set) var records: [[[UInt8]]] = []

    init(fields: [Field]) {
        self.fields = fields
    }

    mutating func append(_ values: [[UInt8]]) {
        records.append(values)
    }

    func bytes(written date: Date = Date()) -> [UInt8] {
        let day = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "Asia/Shanghai")!, from: date)
        let recordLength = 1 + fields.reduce(0) { $0 + $1.length }
        let headerLength = 32 + 32 * fields.count + 1
        var out: [UInt8] = [0x03, UInt8((day.year ?? 2000) - 1900), UInt8(day.month ?? 1), UInt8(day.day ?? 1)]
        out += le32(UInt32(records.count)) + le16(UInt16(headerLength)) + le16(UInt16(recordLength))
        out += [UInt8](repeating: 0, count: 17)
        // The language driver: 0x7A is code page 936 (GBK), which readers such as dbfread honour.
        out += [0x7A, 0, 0]
        for field in fields {
            var name = Array(field.name.utf8.prefix(10))
            name += [UInt8](repeating: 0, count: 11 - name.count)
            out += name + [UInt8(ascii: field.type == "N" ? "N" : "C")] + [0, 0, 0, 0] + [UInt8(field.length), 0] + [UInt8](repeating: 0, count: 14)
        }
        out.append(0x0D)
        for record in records {
            out.append(0x20)
            for (field, value) in zip(fields, record) {
                let fitted = Self.cut(value, to: field.length)
                let padding = [UInt8](repeating: 0x20, count: field.length - fitted.count)
                out += field.type == "N" ? padding + fitted : fitted + padding
            }
        }
        out.append(0x1A)
        return out
    }

    /// At most `length` bytes of GBK text, never half a two-byte character.
    static func cut(_ bytes: [UInt8], to length: Int) -> [UInt8] {
        guard bytes.count > length else { return bytes }
        var end = 0
        var index = 0
        while index < bytes.count {
            let width = bytes[index] >= 0x81 ? 2 : 1
            if index + width > length { break }
            index += width
            end = index
        }
        return Array(bytes.prefix(end))
    }

    private func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
    private func le16(_ value: UInt16) -> [UInt8] { (0..<2).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
}
