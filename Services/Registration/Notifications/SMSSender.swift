import Access
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import Settings

/// Sends a text message to a mobile phone (verification codes). The message text is the
/// business of the caller; how it travels is the sender's.
public protocol SMSSender: Sendable {
    func send(_ text: String, to phone: String) async throws
}

public struct SMSSendFailed: Error, CustomStringConvertible {
    public let description: String
}

/// For development: writes the message to the log with the phone number masked (`138****5678`).
public struct LogOnlySMSSender: SMSSender {
    let logger: Logger

    public init(logger: Logger) { self.logger = logger }

    public func send(_ text: String, to phone: String) async throws {
        logger.notice("SMS (development sender, not sent)", metadata: ["to": "\(PersonalDataMask.maskPhone(phone))", "text": "\(text)"])
    }
}

/// An SMS gateway reached over HTTPS: `POST {url}` with a JSON body
/// `{"phone": "...", "text": "..."}` and `Authorization: Bearer {key}`; any 2xx is accepted.
/// Provider-specific signing goes in an adapter of this shape.
public struct HTTPSMSSender: SMSSender {
    let url: URL
    let apiKey: String
    let session: URLSession

    public init(url: URL, apiKey: String) {
        self.url = url
        self.apiKey = apiKey
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 5
        self.session = URLSession(configuration: configuration)
    }

    public func send(_ text: String, to phone: String) async throws {
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("Bearer \(apiKey)", forHTTPHeaderField: "Authorization")
        request.httpBody = try JSONEncoder().encode(["phone": phone, "text": text])
        let (_, response) = try await session.data(for: request)
        guard let status = (response as? HTTPURLResponse)?.statusCode, (200..<300).contains(status) else {
            throw SMSSendFailed(description: "SMS gateway answered \((response as? HTTPURLResponse)?.statusCode ?? 0)")
        }
    }
}

/// `SMS_GATEWAY_URL` unset: the log-only sender; set: the HTTP sender with `SMS_GATEWAY_KEY`.
public enum SMSSenderFactory {
    public static func make(reader: SettingsReader, logger: Logger) throws(SettingError) -> any SMSSender {
        let address = try reader.string("sms.gateway.url", default: "-")
        guard address != "-" else { return LogOnlySMSSender(logger: logger) }
        guard let url = URL(string: address), url.scheme == "https" || url.scheme == "http", url.host != nil else {
            throw SettingError(setting: "SMS_GATEWAY_URL", value: address, reason: "expected an http(s) URL")
        }
        return HTTPSMSSender(url: url, apiKey: try reader.requiredSecret("sms.gateway.key"))
    }
}
