import ServiceRuntime

/// What a new password must be: 8 to 64 characters, not one of the passwords people choose most
/// (a guesser tries those first), not the login name, and not made of one repeated character.
public enum PasswordPolicy {
    public static let minimumLength = 8
    public static let maximumLength = 64

    /// The reason `password` is refused, or nil. `login` is the account's name or ID number.
    public static func problem(with password: String, login: String) -> PasswordProblem? {
        let length = password.count
        if length < minimumLength { return .tooShort }
        if length > maximumLength { return .tooLong }
        let lowered = password.lowercased()
        if commonPasswords.contains(lowered) || Set(password).count <= 2 { return .tooCommon }
        if !login.isEmpty && lowered.contains(login.lowercased()) { return .containsLogin }
        if login.count >= 8, lowered.contains(String(login.lowercased().suffix(8))) { return .containsLogin }
        return nil
    }

    /// The commonest passwords of Chinese and international leak studies, at 8 characters or
    /// more, lower-cased (a refusal also covers their capitalised forms).
    static let commonPasswords: Set<String> = [
        "12345678", "123456789", "1234567890", "11111111", "88888888", "66666666", "00000000",
        "12341234", "11223344", "87654321", "123123123", "147258369", "987654321", "1qaz2wsx",
        "password", "password1", "password123", "passw0rd", "p@ssw0rd", "p@ssword", "qwertyui",
        "qwerty123", "qwertyuiop", "1q2w3e4r", "1q2w3e4r5t", "a1234567", "a12345678", "a123456789",
        "abc12345", "abcd1234", "abc123456", "aa123456", "asdfghjk", "zxcvbnm1", "iloveyou",
        "woaini1314", "woaini520", "5201314a", "520131400", "13141314", "1314520a", "admin123",
        "administrator", "welcome1", "sunshine", "princess", "football", "baseball", "superman",
        "trustno1", "letmein1", "computer", "internet", "q1w2e3r4", "qazwsxedc", "zaq12wsx",
        "123qweasd", "qweasdzxc", "asd123456", "qwe123456", "aaaaaaaa", "abcdefgh", "12qwaszx",
        "1234qwer", "qwer1234", "123456abc", "123456aa", "123456qq", "qq123456", "wang1234",
        "li123456", "zhang123", "changeme", "baidu1234", "taobao123", "huawei123", "china123",
        "chinese1", "beijing1", "shanghai", "hunan123", "changsha", "gaokao123", "chengkao",
        "exam1234", "student1", "teacher1", "school123", "19900101", "20000101", "12345qwert",
    ]
}

public enum PasswordProblem: String, Sendable {
    case tooShort, tooLong, tooCommon, containsLogin

    public var code: String { "password.\(rawValue.snakeCased)" }

    public var message: String {
        switch self {
        case .tooShort: "密码至少 \(PasswordPolicy.minimumLength) 个字符"
        case .tooLong: "密码最多 \(PasswordPolicy.maximumLength) 个字符"
        case .tooCommon: "密码过于常见，请换一个"
        case .containsLogin: "密码不能包含账号或证件号码"
        }
    }
}
