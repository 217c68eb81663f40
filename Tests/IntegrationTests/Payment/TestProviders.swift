import Crypto
import Foundation
import HTTPTypes
import Payments
import _CryptoExtras

/// The simulated providers' keys of the test stack (ops/payment-sim/make_keys.py made them in
/// .run-test/payment-sim), and notifications signed with them as the providers would send.
enum TestProviders {
    static let directory = TestStack.repository.appendingPathComponent(".run-test/payment-sim")

    /// ALIPAY_PUBLIC_KEY, WECHAT_PLATFORM_KEYS, WECHAT_API_V3_KEY, PAYMENT_SIM_WECHAT_SERIAL,
    /// ALIPAY_APP_PRIVATE_KEY, WECHAT_MERCHANT_PRIVATE_KEY, WECHAT_MERCHANT_SERIAL.
    static let settings: [String: String] = {
        var values: [String: String] = [:]
        let text = (try? String(contentsOf: directory.appendingPathComponent("payment.env"), encoding: .utf8)) ?? ""
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { values[String(parts[0])] = String(parts[1]) }
        }
        return values
    }()

    static let alipayKey = try! _RSA.Signing.PrivateKey(
        pemRepresentation: String(contentsOf: directory.appendingPathComponent("alipay_private.pem"), encoding: .utf8))
    static let wechatKey = try! _RSA.Signing.PrivateKey(
        pemRepresentation: String(contentsOf: directory.appendingPathComponent("wechat_private.pem"), encoding: .utf8))
    static var wechatSerial: String { settings["PAYMENT_SIM_WECHAT_SERIAL"]! }
    static var apiV3Key: [UInt8] { Array(settings["WECHAT_API_V3_KEY"]!.utf8) }

    static func base64(_ signature: _RSA.Signing.RSASignature) -> String { signature.rawRepresentation.base64EncodedString() }

    /// An Alipay notification body (form-encoded, RSA2-signed).
    static func alipay(
        order: String, trade: String, amountFen: Int, status: String = "TRADE_SUCCESS", notifyID: String = UUID().uuidString,
        appID: String = "2021000000000001", key: _RSA.Signing.PrivateKey = alipayKey, paidAt: String = "2026-09-02 10:00:00",
        extra: [String: String] = [:]
    ) -> [UInt8] {
        var parameters = [
            "notify_id": notifyID, "notify_time": "2026-09-02 10:00:00", "notify_type": "trade_status_sync", "app_id": appID,
            "seller_id": "2088000000000001", "out_trade_no": order, "trade_no": trade, "trade_status": status,
            "total_amount": Yuan.text(amountFen), "gmt_payment": paidAt, "charset": "utf-8", "version": "1.0",
            "buyer_logon_id": "138****0000",
        ].merging(extra) { $1 }
        let content = AlipayNotify.signedContent(parameters)
        parameters["sign"] = base64(try! key.signature(for: Array(content.utf8), padding: .insecurePKCS1v1_5))
        parameters["sign_type"] = "RSA2"
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        return Array(parameters.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&").utf8)
    }

    /// A WeChat Pay v3 notification: body and headers.
    static func wechat(
        order: String, trade: String, amountFen: Int, state: String = "SUCCESS", eventType: String = "TRANSACTION.SUCCESS",
        id: String = UUID().uuidString, appID: String = "wx0000000000000001", timestamp: Date = Date(), serial: String? = nil,
        key: _RSA.Signing.PrivateKey = wechatKey
    ) -> (body: [UInt8], headers: HTTPFields) {
        let transaction = #"{"appid":"\#(appID)","mchid":"1900000001","out_trade_no":"\#(order)","transaction_id":"\#(trade)","trade_state":"\#(state)","amount":{"total":\#(amountFen),"payer_total":\#(amountFen),"currency":"CNY"},"success_time":"2026-09-02T10:00:00+08:00"}"#
        let nonce = String(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12))
        let box = try! AES.GCM.seal(
            Data(transaction.utf8), using: SymmetricKey(data: apiV3Key), nonce: AES.GCM.Nonce(data: Data(nonce.utf8)),
            authenticating: Data("transaction".utf8))
        let ciphertext = (box.ciphertext + box.tag).base64EncodedString()
        let body = Array(#"{"id":"\#(id)","create_time":"2026-09-02T10:00:00+08:00","event_type":"\#(eventType)","resource_type":"encrypt-resource","resource":{"algorithm":"AEAD_AES_256_GCM","ciphertext":"\#(ciphertext)","associated_data":"transaction","nonce":"\#(nonce)"}}"#.utf8)
        return (body, signedHeaders(body, timestamp: timestamp, serial: serial ?? wechatSerial, key: key))
    }

    static func signedHeaders(_ body: [UInt8], timestamp: Date = Date(), serial: String = wechatSerial, key: _RSA.Signing.PrivateKey = wechatKey) -> HTTPFields {
        let seconds = String(Int(timestamp.timeIntervalSince1970))
        let nonce = UUID().uuidString
        let signature = try! key.signature(for: Array("\(seconds)\n\(nonce)\n".utf8) + body + [0x0A], padding: .insecurePKCS1v1_5)
        var headers: HTTPFields = [:]
        headers[.contentType] = "application/json"
        headers[.init("Wechatpay-Timestamp")!] = seconds
        headers[.init("Wechatpay-Nonce")!] = nonce
        headers[.init("Wechatpay-Signature")!] = base64(signature)
        headers[.init("Wechatpay-Serial")!] = serial
        return headers
    }
}
