import CGD
import NIOPosix

/// The limits of one kind of upload and the size it is stored at.
public struct ImageRules: Sendable {
    public let maxBytes: Int
    public let minWidth: Int
    public let minHeight: Int
    public let maxWidth: Int
    public let maxHeight: Int
    /// Larger images are scaled down to fit; smaller ones keep their size.
    public let storedWidth: Int
    public let storedHeight: Int
    public let quality: Int32

    /// A candidate's photo (相片): from the ID-card reader (102x126 from the card's chip) or a
    /// camera; stored once at most 480x640, used in every document.
    public static let candidatePhoto = ImageRules(
        maxBytes: 5 << 20, minWidth: 100, minHeight: 120, maxWidth: 6000, maxHeight: 6000, storedWidth: 480, storedHeight: 640,
        quality: 90)
    /// A photo as documents print it (a ticket's 36x48 mm box at about 200 dpi): made at capture
    /// beside the stored photo, so that document workers never decode photos at the peak.
    public static let printedPhoto = ImageRules(
        maxBytes: 5 << 20, minWidth: 1, minHeight: 1, maxWidth: 6000, maxHeight: 6000, storedWidth: 300, storedHeight: 400, quality: 80)
    /// A scanned identity document of a permit holder, for the city's review.
    public static let documentScan = ImageRules(
        maxBytes: 10 << 20, minWidth: 300, minHeight: 200, maxWidth: 8000, maxHeight: 8000, storedWidth: 1600, storedHeight: 1600,
        quality: 85)
}

/// An image as stored: always JPEG, whatever was uploaded.
public struct StoredImage: Sendable {
    public let jpeg: [UInt8]
    public let width: Int
    public let height: Int
    public let uploadedFormat: ImageFormat
}

/// Why an upload was refused: a stable code and a message for the operator.
public enum ImageProblem: Error, Equatable, Sendable {
    case empty
    case tooManyBytes(limit: Int)
    case notAnImage
    case undecodable(ImageFormat)
    case tooSmall(width: Int, height: Int, minWidth: Int, minHeight: Int)
    case tooLarge(width: Int, height: Int, maxWidth: Int, maxHeight: Int)

    public var code: String {
        switch self {
        case .empty: "image.empty"
        case .tooManyBytes: "image.too_many_bytes"
        case .notAnImage: "image.format"
        case .undecodable: "image.corrupt"
        case .tooSmall: "image.too_small"
        case .tooLarge: "image.too_large"
        }
    }

    public var message: String {
        switch self {
        case .empty: "没有收到图片"
        case .tooManyBytes(let limit): "图片文件不能超过 \(limit >> 20) MB"
        case .notAnImage: "只接受 JPEG、PNG 或 BMP 格式的图片"
        case .undecodable(let format): "图片文件已损坏，无法按 \(format.rawValue.uppercased()) 格式读取"
        case .tooSmall(let width, let height, let minWidth, let minHeight):
            "图片尺寸 \(width)x\(height) 过小，至少 \(minWidth)x\(minHeight) 像素"
        case .tooLarge(let width, let height, let maxWidth, let maxHeight):
            "图片尺寸 \(width)x\(height) 过大，至多 \(maxWidth)x\(maxHeight) 像素"
        }
    }
}

/// Checks an uploaded image by decoding it (Debian's libgd: JPEG, PNG, BMP) and stores it as
/// one JPEG: flattened on white, scaled down to the rules' size. Decoding takes a core for
/// tens of milliseconds, so it runs on NIO's blocking pool, never on an event loop.
public struct ImageNormaliser: Sendable {
    private let pool: NIOThreadPool

    public init(pool: NIOThreadPool = .singleton) {
        self.pool = pool
        exam_gd_silence()
    }

    public func normalise(_ bytes: [UInt8], rules: ImageRules) async throws -> StoredImage {
        try check(bytes, rules: rules)
        return try await pool.runIfActive { try Self.decodeAndEncode(bytes, rules: rules) }
    }

    /// An image already checked (a stored photo) at the rules' size, on the calling thread (the
    /// document workers draw on NIO's blocking pool already).
    public static func resized(_ bytes: [UInt8], rules: ImageRules) throws(ImageProblem) -> [UInt8] {
        try decodeAndEncode(bytes, rules: rules).jpeg
    }

    /// What can be judged from the bytes without decoding them.
    @discardableResult
    func check(_ bytes: [UInt8], rules: ImageRules) throws(ImageProblem) -> ImageHeader {
        guard !bytes.isEmpty else { throw .empty }
        guard bytes.count <= rules.maxBytes else { throw .tooManyBytes(limit: rules.maxBytes) }
        guard let header = ImageHeader.read(bytes) else { throw .notAnImage }
        guard header.width <= rules.maxWidth, header.height <= rules.maxHeight else {
            throw .tooLarge(width: header.width, height: header.height, maxWidth: rules.maxWidth, maxHeight: rules.maxHeight)
        }
        guard header.width >= rules.minWidth, header.height >= rules.minHeight else {
            throw .tooSmall(width: header.width, height: header.height, minWidth: rules.minWidth, minHeight: rules.minHeight)
        }
        return header
    }

    static func decodeAndEncode(_ bytes: [UInt8], rules: ImageRules) throws(ImageProblem) -> StoredImage {
        guard let header = ImageHeader.read(bytes) else { throw .notAnImage }
        var input = bytes
        let decoded: gdImagePtr? = input.withUnsafeMutableBytes { raw in
            let size = Int32(raw.count)
            return switch header.format {
            case .jpeg: gdImageCreateFromJpegPtrEx(size, raw.baseAddress, 1)
            case .png: gdImageCreateFromPngPtr(size, raw.baseAddress)
            case .bmp: gdImageCreateFromBmpPtr(size, raw.baseAddress)
            }
        }
        guard let source = decoded else { throw .undecodable(header.format) }
        defer { gdImageDestroy(source) }
        let width = Int(source.pointee.sx)
        let height = Int(source.pointee.sy)
        // The decoder's size, not the header's, is the truth.
        guard width >= rules.minWidth, height >= rules.minHeight else {
            throw .tooSmall(width: width, height: height, minWidth: rules.minWidth, minHeight: rules.minHeight)
        }
        guard width <= rules.maxWidth, height <= rules.maxHeight else {
            throw .tooLarge(width: width, height: height, maxWidth: rules.maxWidth, maxHeight: rules.maxHeight)
        }
        let scale = min(1, Double(rules.storedWidth) / Double(width), Double(rules.storedHeight) / Double(height))
        let storedWidth = max(1, Int((Double(width) * scale).rounded()))
        let storedHeight = max(1, Int((Double(height) * scale).rounded()))
        guard let target = gdImageCreateTrueColor(Int32(storedWidth), Int32(storedHeight)) else { throw .undecodable(header.format) }
        defer { gdImageDestroy(target) }
        // White under any transparency, then the picture resampled onto it.
        gdImageAlphaBlending(target, 0)
        gdImageFilledRectangle(target, 0, 0, Int32(storedWidth - 1), Int32(storedHeight - 1), 0xFFFFFF)
        gdImageAlphaBlending(target, 1)
        gdImageCopyResampled(target, source, 0, 0, 0, 0, Int32(storedWidth), Int32(storedHeight), Int32(width), Int32(height))
        var size: Int32 = 0
        guard let encoded = gdImageJpegPtr(target, &size, rules.quality), size > 0 else { throw .undecodable(header.format) }
        defer { gdFree(encoded) }
        let jpeg = Array(UnsafeRawBufferPointer(start: encoded, count: Int(size)))
        return StoredImage(jpeg: jpeg, width: storedWidth, height: storedHeight, uploadedFormat: header.format)
    }
}
