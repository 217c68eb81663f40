import Glibc

/// Text in GBK, the encoding the local offices' desktop tools and the national data package read
/// (glibc's iconv; one converter per export, its state reset between values). A character GBK
/// cannot encode (a rare name character outside its planes) is written as `??` (SPEC §9), and the
/// caller is told so that the export's report can list it. Not shared between tasks.
final class GBKEncoder {
    private let converter: iconv_t?

    init() {
        let opened = iconv_open("GBK", "UTF-8")
        converter = opened == iconv_t(bitPattern: -1) ? nil : opened
    }

    deinit {
        if let converter { iconv_close(converter) }
    }

    /// The bytes, and the characters that had to be replaced.
    func encode(_ text: String) -> (bytes: [UInt8], replaced: [Character]) {
        if let bytes = convert(text) { return (bytes, []) }
        var bytes: [UInt8] = []
        var replaced: [Character] = []
        for character in text {
            if let encoded = convert(String(character)) {
                bytes += encoded
            } else {
                bytes += Array("??".utf8)
                replaced.append(character)
            }
        }
        return (bytes, replaced)
    }

    private func convert(_ text: String) -> [UInt8]? {
        guard let converter else { return nil }
        // Back to the initial state: a failed conversion leaves none behind.
        iconv(converter, nil, nil, nil, nil)
        var input = Array(text.utf8).map { CChar(bitPattern: $0) }
        var output = [CChar](repeating: 0, count: input.count * 2 + 4)
        var inputLeft = input.count
        var outputLeft = output.count
        let result = input.withUnsafeMutableBufferPointer { inputBuffer in
            output.withUnsafeMutableBufferPointer { outputBuffer in
                var inputPointer = inputBuffer.baseAddress
                var outputPointer = outputBuffer.baseAddress
                return iconv(converter, &inputPointer, &inputLeft, &outputPointer, &outputLeft)
            }
        }
        guard result != -1, inputLeft == 0 else { return nil }
        return output.prefix(output.count - outputLeft).map { UInt8(bitPattern: $0) }
    }
}
