import Crypto
import Foundation
import ServiceRuntime
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
        var content = ""
        content.reserveCapacity(1024)
        for (name, value) in parameters.sorted(by: { $0.key < $1.key }) where name != "sign" && name != "sign_type" && !value.isEmpty {
            if !content.isEmpty { content += "&" }
            content += name
            content += "="
            content += value
        }
        return content
    }

    /// The form's parameters, decoded (`+` is a space); nil if it is not a form, repeats a name or
    /// is not UTF-8. Decoded byte by byte: Foundation's string search costs more than the signature.
    public static func parameters(_ body: [UInt8]) -> [String: String]? {
        var parameters: [String: String] = [:]
        parameters.reserveCapacity(32)
        for pair in body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            guard let equals = pair.firstIndex(of: UInt8(ascii: "=")),
                let name = decode(pair[pair.startIndex..<equals]), let value = decode(pair[(equals + 1)...]),
                parameters[name] == nil
            else { return nil }
            parameters[name] = value
        }
        return parameters.isEmpty ? nil : parameters
    }

    /// One percent-encoded form component as UTF-8 text.
    static func decode(_ encoded: ArraySlice<UInt8>) -> String? {
        // Most names and values are plain ASCII with nothing escaped: taken as they are.
        if !encoded.contains(where: { $0 >= 0x80 || $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) {
            return String(decoding: encoded, as: UTF8.self)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(encoded.count)
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let byte = encoded[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < encoded.endIndex, let high = hexValue(encoded[index + 1]), let low = hexValue(encoded[index + 2]) else { return nil }
                bytes.append(high << 4 | low)
                index += 3
            } else {
                bytes.append(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index += 1
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// "2026-09-02 10:15:30", China's time (read by hand: a formatter per notification costs
    /// more than the signature check).
    static func time(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 19, bytes[10] == UInt8(ascii: " "), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            let day = CalendarDate.parse(String(decoding: bytes[0..<10], as: UTF8.self))
        else { return nil }
        func number(_ range: Range<Int>) -> Int? { Int(String(decoding: bytes[range], as: UTF8.self)) }
        guard let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19), hour < 24, minute < 60, second < 60 else {
            return nil
        }
        return CalendarDate.start(of: day) + TimeInterval(hour * 3600 + minute * 60 + second)
    }
}
