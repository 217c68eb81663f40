import Crypto
import Foundation
import _CryptoExtras

/// Alipay's asynchronous notification (异步通知): a form-encoded body whose `sign` is RSA2
/// (SHA256withRSA, PKCS#1 v1.5) over every other non-empty parameter but `sign_type`, sorted by
/// name and joined as `k=v&k=v` with the values decoded. The parameters are read from the raw
/// bytes here, so that what is verified is what was sent.
public struct AlipayNotify: Sendable {
    public let appID: String
    public let sellerID: String
    public let publicKey: _RSA.Signing.PublicKey

    public init(appID: String, sellerID: String, publicKey: _RSA.Signing.PublicKey) {
        self.appID = appID
        self.sellerID = sellerID
        self.publicKey = publicKey
    }

    public func verify(_ body: [UInt8]) throws(NotificationRefusal) -> ProviderNotification {
        guard let parameters = Self.parameters(body) else { throw NotificationRefusal("alipay.malformed") }
        guard let signature = parameters["sign"].flatMap({ Data(base64Encoded: $0) }) else { throw NotificationRefusal("alipay.unsigned") }
        guard publicKey.isValidSignature(.init(rawRepresentation: signature), for: Array(Self.signedContent(parameters).utf8), padding: .insecurePKCS1v1_5)
        else { throw NotificationRefusal("alipay.signature") }
        guard parameters["app_id"] == appID else { throw NotificationRefusal("alipay.app_id") }
        guard parameters["seller_id"] == sellerID else { throw NotificationRefusal("alipay.seller_id") }
        guard let orderNo = parameters["out_trade_no"], !orderNo.isEmpty, let tradeNo = parameters["trade_no"], !tradeNo.isEmpty,
            let notifyID = parameters["notify_id"], !notifyID.isEmpty
        else { throw NotificationRefusal("alipay.fields") }
        guard let amount = parameters["total_amount"].flatMap(Yuan.fen) else { throw NotificationRefusal("alipay.amount") }
        let kind: ProviderNotification.Kind = switch parameters["trade_status"] {
        case "TRADE_SUCCESS", "TRADE_FINISHED": parameters["refund_fee"] == nil ? .paid : .refunded
        case "TRADE_CLOSED": parameters["refund_fee"] == nil ? .closed : .refunded
        default: .other
        }
        return ProviderNotification(
            provider: .alipay, dedupeKey: notifyID, orderNo: orderNo, tradeNo: tradeNo, kind: kind, amountFen: amount,
            occurredAt: parameters["gmt_payment"].flatMap(Self.time))
    }

    /// `k=v&k=v` of the parameters that are signed, sorted by name.
    public static func signedContent(_ parameters: [String: String]) -> String {
        parameters.filter { $0.key != "sign" && $0.key != "sign_type" && !$0.value.isEmpty }
            .sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value)" }
            .joined(separator: "&")
    }

    /// The form's parameters, decoded (`+` is a space); nil if it is not a form or repeats a name.
    public static func parameters(_ body: [UInt8]) -> [String: String]? {
        guard let text = String(validating: body, as: UTF8.self) else { return nil }
        var parameters: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2,
                let name = String(parts[0]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding,
                let value = String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding,
                parameters[name] == nil
            else { return nil }
            parameters[name] = value
        }
        return parameters.isEmpty ? nil : parameters
    }

    /// "2026-09-02 10:15:30", China's time.
    static func time(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.date(from: text)
    }
}
