import Glibc

/// Text in GBK, the encoding the local offices' desktop tools and the national data package read
/// (glibc's iconv). A character GBK cannot encode (a rare name character outside its planes) is
/// written as `??` (SPEC §9), and the caller is told so that the export's report can list it.
enum GBK {
    /// The bytes, and the characters that had to be replaced.
    static func encode(_ text: String) -> (bytes: [UInt8], replaced: [Character]) {
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

    private static func convert(_ text: String) -> [UInt8]? {
        let converter = iconv_open("GBK", "UTF-8")
        guard let converter, converter != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(converter) }
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
