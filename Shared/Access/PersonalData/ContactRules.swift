/// Rules for the personal details every account form shares (SPEC §2).
public enum ContactRules {
    /// Names: 2-30 characters of Chinese, Latin letters, spaces and the middle dot (·) of
    /// transliterated names.
    public static func nameProblem(_ name: String) -> (code: String, message: String)? {
        let count = name.count
        guard count >= 2 && count <= 30 else { return ("name.length", "姓名应为 2-30 个字符") }
        let allowed = name.unicodeScalars.allSatisfy { scalar in
            (0x4E00...0x9FFF).contains(scalar.value) || (0x3400...0x4DBF).contains(scalar.value)
                || (0x20000...0x2EBEF).contains(scalar.value)
                || (scalar.isASCII && (scalar.properties.isAlphabetic || scalar == " "))
                || scalar == "·" || scalar == "•"
        }
        return allowed ? nil : ("name.characters", "姓名只能包含汉字、字母和间隔号（·）")
    }

    /// Mainland mobile numbers: 11 digits starting with 1.
    public static func mobileProblem(_ phone: String) -> (code: String, message: String)? {
        let digits = Array(phone.utf8)
        guard digits.count == 11, digits[0] == UInt8(ascii: "1"), digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
            return ("phone.format", "手机号码应为以 1 开头的 11 位数字")
        }
        return nil
    }
}
