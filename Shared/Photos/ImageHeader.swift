/// What an upload claims to be, read from its first bytes, never from its name or content type;
/// and its pixel size, read from the header before anything is decoded (so that a small file
/// announcing a huge image is refused before it can take memory).
public enum ImageFormat: String, Sendable {
    case jpeg, png, bmp
}

struct ImageHeader: Equatable {
    let format: ImageFormat
    let width: Int
    let height: Int

    /// nil when the bytes are none of the accepted formats or their header is broken.
    static func read(_ bytes: [UInt8]) -> ImageHeader? {
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return jpeg(bytes) }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return png(bytes) }
        if bytes.starts(with: [0x42, 0x4D]) { return bmp(bytes) }
        return nil
    }

    private static func png(_ bytes: [UInt8]) -> ImageHeader? {
        // The first chunk is IHDR: width and height, big-endian, at 16 and 20.
        guard bytes.count >= 24, Array(bytes[12..<16]) == Array("IHDR".utf8) else { return nil }
        return ImageHeader(format: .png, width: bigEndian(bytes, 16, 4), height: bigEndian(bytes, 20, 4))
    }

    private static func bmp(_ bytes: [UInt8]) -> ImageHeader? {
        // BITMAPINFOHEADER (or later): signed 32-bit width and height at 18 and 22; a negative
        // height means rows stored top-down.
        guard bytes.count >= 26, littleEndian(bytes, 14, 4) >= 40 else { return nil }
        let width = Int(Int32(truncatingIfNeeded: littleEndian(bytes, 18, 4)))
        let height = Int(Int32(truncatingIfNeeded: littleEndian(bytes, 22, 4)))
        return ImageHeader(format: .bmp, width: width, height: abs(height))
    }

    private static func jpeg(_ bytes: [UInt8]) -> ImageHeader? {
        // Walk the marker segments to the first start-of-frame (SOF0-SOF15 but DHT, JPG, DAC).
        var index = 2
        while index + 9 < bytes.count {
            guard bytes[index] == 0xFF else { return nil }
            let marker = bytes[index + 1]
            if marker == 0xFF { index += 1; continue }
            let length = bigEndian(bytes, index + 2, 2)
            if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
                return ImageHeader(format: .jpeg, width: bigEndian(bytes, index + 7, 2), height: bigEndian(bytes, index + 5, 2))
            }
            guard length >= 2 else { return nil }
            index += 2 + length
        }
        return nil
    }

    private static func bigEndian(_ bytes: [UInt8], _ start: Int, _ count: Int) -> Int {
        bytes[start..<start + count].reduce(0) { $0 << 8 | Int($1) }
    }

    private static func littleEndian(_ bytes: [UInt8], _ start: Int, _ count: Int) -> Int {
        bytes[start..<start + count].reversed().reduce(0) { $0 << 8 | Int($1) }
    }
}
