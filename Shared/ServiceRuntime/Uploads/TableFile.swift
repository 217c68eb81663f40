/// What an uploaded table is (paper forms, the catalogue, a provider's statement), told by its
/// bytes, never by its name or content type: an XLSX workbook (a ZIP archive) or CSV text in
/// UTF-8, a byte-order mark dropped. The one sniffer for tabular uploads; images have theirs in
/// `Photos.ImageHeader`.
public enum TableFile: Equatable, Sendable {
    case xlsx
    case csv(String)

    /// nil when the bytes are neither (text that is not UTF-8, say).
    public static func sniff(_ bytes: [UInt8]) -> TableFile? {
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return .xlsx }
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        return String(validating: body, as: UTF8.self).map { .csv($0) }
    }

    /// As stored beside the file (`paper_form_batch.file_format`).
    public var format: String {
        switch self {
        case .xlsx: "xlsx"
        case .csv: "csv"
        }
    }
}
