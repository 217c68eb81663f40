/// A setting that cannot be used, named the way an operator sets it (`POSTGRES_PORT`), so that a
/// service can stop with one line that says what to fix.
public struct SettingError: Error, CustomStringConvertible, Sendable {
    /// The environment variable's name; the same name with dashes is the command-line flag.
    public let setting: String
    public let value: String?
    public let reason: String

    public init(setting: String, value: String?, reason: String) {
        self.setting = setting
        self.value = value
        self.reason = reason
    }

    public var description: String {
        if let value { return "\(setting)=\(value): \(reason)" }
        return "\(setting): \(reason)"
    }
}
