import CGD
import HTTPTypes
import HummingbirdTesting
import Testing

/// Real images made with libgd's encoders: a gradient, so that the JPEG is not trivially small.
enum TestImages {
    enum Kind { case jpeg, png, bmp }

    static func make(_ kind: Kind, width: Int, height: Int) -> [UInt8] {
        let image = gdImageCreateTrueColor(Int32(width), Int32(height))!
        defer { gdImageDestroy(image) }
        for y in 0..<height {
            for x in stride(from: 0, to: width, by: 1) {
                let color = Int32((x * 255 / max(width, 1)) << 16 | (y * 255 / max(height, 1)) << 8 | 0x60)
                gdImageSetPixel(image, Int32(x), Int32(y), color)
            }
        }
        var size: Int32 = 0
        let bytes: UnsafeMutableRawPointer? = switch kind {
        case .jpeg: gdImageJpegPtr(image, &size, 85)
        case .png: gdImagePngPtr(image, &size)
        case .bmp: gdImageBmpPtr(image, &size, 0)
        }
        defer { gdFree(bytes) }
        return Array(UnsafeRawBufferPointer(start: bytes, count: Int(size)))
    }

    static let photo = make(.jpeg, width: 300, height: 400)
    static let scan = make(.png, width: 800, height: 500)
}

extension AccessFixture {
    /// The operator takes the candidate's photo (as the ID-card reader gives it).
    @discardableResult
    func capturePhoto(of candidateID: Int64, _ image: [UInt8] = TestImages.photo, as browser: Browser) async throws -> TestResponse {
        var headers = browser.headers(json: false)
        headers[.contentType] = "image/jpeg"
        return try await send(.put, "/staff/candidates/\(candidateID)/photo", raw: image, headers: headers)
    }
}
