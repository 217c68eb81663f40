import Foundation
import ServiceRuntime
import _CryptoExtras
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Asks a provider where one of our orders stands (the active query, for notifications that
/// never came). The request is signed with our own key, as the providers require: Alipay's form
/// with the app's private key (RSA2 over the sorted parameters), WeChat Pay's request with the
/// merchant's (an `Authorization` header). The answer is verified like a notification: Alipay
/// signs the response object's exact text; WeChat Pay signs the body with the headers of a
/// notification.
public struct ProviderQueries: Sendable {
    let baseURL: String
    let alipay: AlipayNotify
    let wechat: WeChatPayNotify
    let alipayAppKey: _RSA.Signing.PrivateKey
    let wechatMerchantKey: _RSA.Signing.PrivateKey
    let wechatMerchantSerial: String
    let session: URLSession

    public init(settings: PaymentSettings) {
        baseURL = settings.providerURL
        alipay = AlipayNotify(appID: settings.alipayAppID, sellerID: settings.alipaySellerID, publicKey: settings.alipayPublicKey)
        wechat = WeChatPayNotify(
            merchantID: settings.wechatMerchantID, appID: settings.wechatAppID, apiV3Key: settings.wechatAPIv3Key, platformKeys: settings.wechatPlatformKeys)
        alipayAppKey = settings.alipayAppPrivateKey
        wechatMerchantKey = settings.wechatMerchantPrivateKey
        wechatMerchantSerial = settings.wechatMerchantSerial
        let configuration = URLSessionConfiguration.ephemeral
        // A query unanswered is asked again 30 s later; a worker that stops waits for the queries
        // in flight (cancelling them crashes Foundation's URLSession), within ops' 15 s of grace.
        configuration.timeoutIntervalForRequest = 5
        // As many as the follow-up asks at once (16), so that a stop waits for one timeout at most.
        configuration.httpMaximumConnectionsPerHost = 16
        session = URLSession(configuration: configuration)
    }

    public enum Answer: Sendable, Equatable {
        /// The provider has a trade for the order: what it says about it.
        case trade(ProviderNotification)
        /// The provider knows no trade for the order (the candidate never paid).
        case noTrade
    }

    public func query(_ provider: PaymentProvider, orderNo: String) async throws -> Answer {
        switch provider {
        case .alipay: try await queryAlipay(orderNo)
        case .wechat: try await queryWeChat(orderNo)
        }
    }

    private func queryAlipay(_ orderNo: String) async throws -> Answer {
        var request = URLRequest(url: URL(string: "\(baseURL)/alipay/gateway.do")!)
        request.httpMethod = "POST"
        request.setValue("application/x-www-form-urlencoded; charset=utf-8", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(try alipayQueryForm(orderNo, at: Date()).utf8)
        let (data, _) = try await session.data(for: request)
        let body = Array(data)
        guard let object = Self.rawObject(named: "alipay_trade_query_response", in: body),
            let envelope = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let sign = (envelope["sign"] as? String).flatMap({ Data(base64Encoded: $0) }),
            alipay.publicKey.isValidSignature(.init(rawRepresentation: sign), for: object, padding: .insecurePKCS1v1_5),
            let answer = envelope["alipay_trade_query_response"] as? [String: Any]
        else { throw NotificationRefusal("alipay.query_signature") }
        guard answer["code"] as? String == "10000" else {
            if answer["sub_code"] as? String == "ACQ.TRADE_NOT_EXIST" { return .noTrade }
            throw NotificationRefusal("alipay.query_failed")
        }
        guard answer["out_trade_no"] as? String == orderNo, let tradeNo = answer["trade_no"] as? String,
            let amount = (answer["total_amount"] as? String).flatMap(Yuan.fen)
        else { throw NotificationRefusal("alipay.query_fields") }
        let status = answer["trade_status"] as? String ?? ""
        let kind: ProviderNotification.Kind = switch status {
        case "TRADE_SUCCESS", "TRADE_FINISHED": .paid
        case "TRADE_CLOSED": .closed
        default: .other
        }
        return .trade(ProviderNotification(
            provider: .alipay, dedupeKey: "query:\(tradeNo):\(status)", orderNo: orderNo, tradeNo: tradeNo, kind: kind, amountFen: amount,
            occurredAt: (answer["send_pay_date"] as? String).flatMap(AlipayNotify.time)))
    }

    /// alipay.trade.query as a signed form: every non-empty parameter but `sign`, sorted by name
    /// and joined as `k=v&k=v` (values as they are), signed with the app's key.
    func alipayQueryForm(_ orderNo: String, at time: Date) throws -> String {
        var parameters = [
            "app_id": alipay.appID, "method": "alipay.trade.query", "format": "JSON", "charset": "utf-8", "sign_type": "RSA2",
            "timestamp": Self.chinaTime(time), "version": "1.0", "biz_content": #"{"out_trade_no":"\#(orderNo)"}"#,
        ]
        let content = parameters.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
        parameters["sign"] = try alipayAppKey.signature(for: Array(content.utf8), padding: .insecurePKCS1v1_5).rawRepresentation.base64EncodedString()
        return parameters.sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: Self.unreserved) ?? "")" }.joined(separator: "&")
    }

    /// WeChat Pay v3's `Authorization` for a GET (no body): the merchant key's SHA256withRSA over
    /// `GET\nPATH?QUERY\ntimestamp\nnonce\n\n`, with the merchant id and its certificate's serial.
    func wechatAuthorization(get pathAndQuery: String, at time: Date, nonce: String) throws -> String {
        let timestamp = String(Int(time.timeIntervalSince1970))
        let message = "GET\n\(pathAndQuery)\n\(timestamp)\n\(nonce)\n\n"
        let signature = try wechatMerchantKey.signature(for: Array(message.utf8), padding: .insecurePKCS1v1_5).rawRepresentation.base64EncodedString()
        return #"WECHATPAY2-SHA256-RSA2048 mchid="\#(wechat.merchantID)",nonce_str="\#(nonce)",signature="\#(signature)",timestamp="\#(timestamp)",serial_no="\#(wechatMerchantSerial)""#
    }

    private func queryWeChat(_ orderNo: String) async throws -> Answer {
        let pathAndQuery = "/v3/pay/transactions/out-trade-no/\(orderNo)?mchid=\(wechat.merchantID)"
        var request = URLRequest(url: URL(string: baseURL + pathAndQuery)!)
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        let nonce = UUID().uuidString.replacingOccurrences(of: "-", with: "")
        request.setValue(try wechatAuthorization(get: pathAndQuery, at: Date(), nonce: nonce), forHTTPHeaderField: "Authorization")
        let (data, response) = try await session.data(for: request)
        guard let http = response as? HTTPURLResponse else { throw NotificationRefusal("wechat.query_failed") }
        let headers = WeChatPayNotify.SignatureHeaders(
            timestamp: http.value(forHTTPHeaderField: "Wechatpay-Timestamp"), nonce: http.value(forHTTPHeaderField: "Wechatpay-Nonce"),
            signature: http.value(forHTTPHeaderField: "Wechatpay-Signature"), serial: http.value(forHTTPHeaderField: "Wechatpay-Serial"))
        try wechat.verifySignature(Array(data), headers: headers)
        if http.statusCode == 404 { return .noTrade }
        guard http.statusCode == 200, let transaction = try? JSONDecoder().decode(WeChatPayNotify.Transaction.self, from: data),
            transaction.out_trade_no == orderNo
        else { throw NotificationRefusal("wechat.query_failed") }
        let notification = try wechat.notification(
            transaction, dedupeKey: "query:\(transaction.transaction_id ?? ""):\(transaction.trade_state)", eventType: "QUERY")
        return .trade(notification)
    }

    /// RFC 3986's unreserved characters, ASCII only (`.alphanumerics` would pass Chinese letters).
    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// "2026-09-02 10:15:30" in China's time, as Alipay's `timestamp` wants it (the inverse of
    /// `AlipayNotify.time`).
    static func chinaTime(_ date: Date) -> String {
        let day = CalendarDate.day(of: date)
        let seconds = Int(date.timeIntervalSince(CalendarDate.start(of: day)))
        return CalendarDate.text(of: date) + String(format: " %02d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
    }

    /// The exact bytes of the JSON object that is the value of `name` (what Alipay signs).
    static func rawObject(named name: String, in body: [UInt8]) -> [UInt8]? {
        let key = Array("\"\(name)\":".utf8)
        guard let start = body.firstRange(of: key)?.upperBound, start < body.count, body[start] == UInt8(ascii: "{") else { return nil }
        var depth = 0
        var inString = false
        var escaped = false
        for index in start..<body.count {
            let byte = body[index]
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"): depth += 1
            case UInt8(ascii: "}"):
                depth -= 1
                if depth == 0 { return Array(body[start...index]) }
            default: break
            }
        }
        return nil
    }
}
