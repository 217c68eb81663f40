import Foundation
import Testing

/// A PDF as independent tools see it (poppler-utils: pdftotext, pdffonts, pdfinfo, pdfimages,
/// pdftoppm), with its first page rendered to PNG under the test output
/// (`.run-test/test-output/documents/`), where people look at it.
struct CheckedPDF: Sendable {
    let text: String
    /// Each font and whether it is embedded.
    let fonts: [(name: String, embedded: Bool)]
    let pages: Int
    /// "595.276 x 841.89 pts (A4)"
    let pageSize: String
    let images: Int
    let png: URL

    var isA4: Bool { pageSize.contains("(A4)") }

    /// Whether the text shows `expected`, spacing aside (pdftotext spaces out letter-spaced CJK).
    func shows(_ expected: String) -> Bool {
        text.filter { !$0.isWhitespace }.contains(expected.filter { !$0.isWhitespace })
    }
}

enum DocumentChecks {
    static let output: URL = {
        let stack = TestStack.environment["STACK_DIR"].map { URL(fileURLWithPath: $0) } ?? TestStack.repository.appendingPathComponent(".run-test")
        let url = stack.appendingPathComponent("test-output/documents")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool.hasPrefix("/") ? tool : "/usr/bin/\(tool)")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// Writes the file as `name.pdf` and checks it; `page` is the page rendered to `name.png`.
    static func check(_ pdf: [UInt8], name: String, page: Int = 1) async throws -> CheckedPDF {
        try await offThePool { try checkNow(pdf, name: name, page: page) }
    }

    private static func checkNow(_ pdf: [UInt8], name: String, page: Int) throws -> CheckedPDF {
        let file = output.appendingPathComponent("\(name).pdf")
        try Data(pdf).write(to: file)
        let text = try run("pdftotext", ["-layout", file.path, "-"])
        let fonts = try run("pdffonts", [file.path]).split(separator: "\n").dropFirst(2).map { line -> (String, Bool) in
            let words = line.split(separator: " ")
            return (String(words.first ?? ""), words.count >= 5 && words[words.count - 5] == "yes")
        }
        let info = try run("pdfinfo", [file.path])
        func field(_ label: String) -> String {
            info.split(separator: "\n").first { $0.hasPrefix(label) }.map { $0.dropFirst(label.count).trimmingCharacters(in: .whitespaces) } ?? ""
        }
        let images = try run("pdfimages", ["-list", file.path]).split(separator: "\n").count - 2
        let png = output.appendingPathComponent(name)
        try run("pdftoppm", ["-r", "150", "-png", "-singlefile", "-f", "\(page)", "-l", "\(page)", file.path, png.path])
        return CheckedPDF(
            text: text, fonts: fonts, pages: Int(field("Pages:")) ?? 0, pageSize: field("Page size:"), images: max(images, 0),
            png: png.appendingPathExtension("png"))
    }

    /// The QR codes zxing-cpp (PyPI, in ops/test's readers) finds in an image.
    static func qrCodes(in png: URL) async throws -> [String] {
        try await offThePool { try qrCodesNow(in: png) }
    }

    private static func qrCodesNow(in png: URL) throws -> [String] {
        let python = TestStack.environment["EXAM_PYTHON"] ?? "/usr/bin/python3"
        let script = "import sys, zxingcpp\nfrom PIL import Image\nfor r in zxingcpp.read_barcodes(Image.open(sys.argv[1])): print(r.format.name, r.text)"
        return try run(python, ["-c", script, png.path]).split(separator: "\n").compactMap { line in
            line.hasPrefix("QRCode ") ? String(line.dropFirst("QRCode ".count)) : nil
        }
    }
}
