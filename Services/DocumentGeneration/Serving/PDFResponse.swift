import Hummingbird
import NIOCore

/// A stored document as an answer: never cached by the browser or a proxy (a ticket is personal).
enum StoredFileResponse {
    static func pdf(_ bytes: [UInt8], filename: String) -> Response {
        file(bytes, type: "application/pdf", filename: filename)
    }

    static func file(_ bytes: [UInt8], type: String, filename: String) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: type, .cacheControl: "no-store", .contentDisposition: "attachment; filename=\"\(filename)\""],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
