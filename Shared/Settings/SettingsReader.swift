import Foundation
import Configuration

/// Reads settings once at start: command-line flags (`--postgres-port 5433`) over environment
/// variables (`POSTGRES_PORT=5433`) over local defaults. Every read is strict: a value that does
/// not parse is a `SettingError`, never a silent fall-back to the default.
public struct SettingsReader: Sendable {
    private let reader: ConfigReader

    public init(arguments: [String] = CommandLine.arguments, environment: [String: String]? = nil) {
        let environmentProvider =
            environment.map { EnvironmentVariablesProvider(environmentVariables: $0) } ?? EnvironmentVariablesProvider()
        self.reader = ConfigReader(providers: [CommandLineArgumentsProvider(arguments: arguments), environmentProvider])
    }

    /// `postgres.port` is set as `POSTGRES_PORT` or `--postgres-port`.
    public static func environmentName(_ key: String) -> String {
        key.uppercased().replacingOccurrences(of: ".", with: "_")
    }

    public func string(_ key: String, default defaultValue: String) throws(SettingError) -> String {
        guard let raw = reader.string(forKey: ConfigKey(key)) else { return defaultValue }
        let value = raw.trimmingCharacters(in: .whitespaces)
        guard !value.isEmpty else {
            throw SettingError(setting: Self.environmentName(key), value: raw, reason: "must not be empty")
        }
        return value
    }

    /// A value with no default (a directory a deployment must choose).
    public func required(_ key: String) throws(SettingError) -> String {
        guard let raw = reader.string(forKey: ConfigKey(key)), !raw.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw SettingError(setting: Self.environmentName(key), value: nil, reason: "must be set")
        }
        return raw.trimmingCharacters(in: .whitespaces)
    }

    public func secret(_ key: String, default defaultValue: String) throws(SettingError) -> String {
        guard let raw = reader.string(forKey: ConfigKey(key), isSecret: true) else { return defaultValue }
        guard !raw.isEmpty else { throw SettingError(setting: Self.environmentName(key), value: nil, reason: "must not be empty") }
        return raw
    }

    /// A secret with no default: a process that needs it refuses to start without it, rather
    /// than run with a key anyone could read in the source.
    public func requiredSecret(_ key: String) throws(SettingError) -> String {
        guard let raw = reader.string(forKey: ConfigKey(key), isSecret: true), !raw.isEmpty else {
            throw SettingError(setting: Self.environmentName(key), value: nil, reason: "must be set")
        }
        return raw
    }

    public func flag(_ key: String, default defaultValue: Bool) throws(SettingError) -> Bool {
        guard let raw = reader.string(forKey: ConfigKey(key)) else { return defaultValue }
        switch raw.trimmingCharacters(in: .whitespaces).lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw SettingError(setting: Self.environmentName(key), value: raw, reason: "expected true or false")
        }
    }

    public func integer(_ key: String, default defaultValue: Int, in range: ClosedRange<Int>) throws(SettingError) -> Int {
        guard let raw = reader.string(forKey: ConfigKey(key)) else { return defaultValue }
        guard let value = Int(raw.trimmingCharacters(in: .whitespaces)), range.contains(value) else {
            throw SettingError(
                setting: Self.environmentName(key), value: raw,
                reason: "expected a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    public func port(_ key: String, default defaultValue: Int) throws(SettingError) -> Int {
        try integer(key, default: defaultValue, in: 1...65535)
    }

    public func seconds(_ key: String, default defaultValue: Double) throws(SettingError) -> Duration {
        guard let raw = reader.string(forKey: ConfigKey(key)) else { return .milliseconds(Int(defaultValue * 1000)) }
        guard let value = Double(raw.trimmingCharacters(in: .whitespaces)), value > 0, value <= 86_400 else {
            throw SettingError(setting: Self.environmentName(key), value: raw, reason: "expected seconds, more than 0")
        }
        return .milliseconds(Int(value * 1000))
    }

    public func choice<Choice: RawRepresentable & CaseIterable>(
        _ key: String, default defaultValue: Choice
    ) throws(SettingError) -> Choice where Choice.RawValue == String {
        guard let raw = reader.string(forKey: ConfigKey(key)) else { return defaultValue }
        guard let value = Choice(rawValue: raw.trimmingCharacters(in: .whitespaces).lowercased()) else {
            let allowed = Choice.allCases.map(\.rawValue).joined(separator: ", ")
            throw SettingError(setting: Self.environmentName(key), value: raw, reason: "expected one of: \(allowed)")
        }
        return value
    }
}
