import Settings
import Testing

@Suite struct SettingsTests {
    private func settings(_ arguments: [String] = [], _ environment: [String: String] = [:]) throws(SettingError) -> ServiceSettings {
        try ServiceSettings(reader: SettingsReader(arguments: ["service"] + arguments, environment: environment), defaultPort: 8101)
    }

    @Test func localDefaultsNeedNoSettings() throws {
        let settings = try settings()
        #expect(settings.role == .api)
        #expect(settings.http.port == 8101)
        #expect(settings.postgres.host == "127.0.0.1")
        #expect(settings.postgres.port == 15432)
        #expect(settings.redis.port == 16379)
        #expect(settings.amqp.port == 15673)
    }

    @Test func environmentOverridesDefaultsAndFlagsOverrideEnvironment() throws {
        let environment = ["POSTGRES_PORT": "25432", "ROLE": "worker", "REDIS_HOST": "redis.internal"]
        let fromEnvironment = try settings([], environment)
        #expect(fromEnvironment.postgres.port == 25432)
        #expect(fromEnvironment.role == .worker)
        #expect(fromEnvironment.redis.host == "redis.internal")
        let fromFlags = try settings(["--postgres-port", "5433", "--role", "api"], environment)
        #expect(fromFlags.postgres.port == 5433)
        #expect(fromFlags.role == .api)
    }

    @Test(arguments: [
        ("POSTGRES_PORT", "abc", "expected a whole number from 1 to 65535"),
        ("POSTGRES_PORT", "70000", "expected a whole number from 1 to 65535"),
        ("REDIS_PORT", "-1", "expected a whole number from 1 to 65535"),
        ("ROLE", "boss", "expected one of: api, worker"),
        ("LOG_LEVEL", "loud", "expected one of"),
        ("STARTUP_TIMEOUT", "soon", "expected seconds"),
        ("AMQP_HOST", "  ", "must not be empty"),
    ])
    func invalidValuesNameTheirSetting(setting: String, value: String, reason: String) {
        do {
            _ = try settings([], [setting: value])
            Issue.record("\(setting)=\(value) was accepted")
        } catch {
            #expect(error.setting == setting)
            #expect(error.value == value)
            #expect(error.reason.contains(reason))
            #expect(!"\(error)".contains("\n"))
        }
    }

    @Test func aBadFlagNamesTheEnvironmentVariable() {
        #expect(throws: SettingError.self) { try settings(["--http-port", "zero"]) }
        do {
            _ = try settings(["--http-port", "zero"])
        } catch {
            #expect(error.description == "HTTP_PORT=zero: expected a whole number from 1 to 65535")
        }
    }

    @Test func secretsAreNotPrinted() throws {
        let settings = try settings([], ["POSTGRES_PASSWORD": "s3cret"])
        #expect(settings.postgres.password == "s3cret")
    }
}
