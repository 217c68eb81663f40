import Crypto
import Foundation
import _CryptoExtras

/// WeChat Pay v3's notification: a JSON body signed (SHA256withRSA) over
/// `timestamp\nnonce\nbody\n` with the platform key the `Wechatpay-Serial` header names; the
/// timestamp within 5 minutes of now; the transaction inside `resource`, sealed with AES-256-GCM
/// under the merchant's APIv3 key. The signature is checked over the raw body bytes.
public struct WeChatPayNotify: Sendable {
    public let merchantID: String
    public let appID: String
    public let apiV3Key: [UInt8]
    public let platformKeys: [String: _RSA.Signing.PublicKey]
    public static let allowedSkew: TimeInterval = 300

    public init(merchantID: String, appID: String, apiV3Key: [UInt8], platformKeys: [String: _RSA.Signing.PublicKey]) {
        self.merchantID = merchantID
        self.appID = appID
        self.apiV3Key = apiV3Key
        self.platformKeys = platformKeys
    }

    /// The headers that carry the signature.
    public struct SignatureHeaders: Sendable {
        public let timestamp: String?
        public let nonce: String?
        public let signature: String?
        public let serial: String?

        public init(timestamp: String?, nonce: String?, signature: String?, serial: String?) {
            self.timestamp = timestamp
            self.nonce = nonce
            self.signature = signature
            self.serial = serial
        }
    }

    /// Checks a signed message (a notification, or a query's answer) and returns its body.
    public func verifySignature(_ body: [UInt8], headers: SignatureHeaders, now: Date = Date()) throws(NotificationRefusal) {
        guard let serial = headers.serial, let key = platformKeys[serial] else { throw NotificationRefusal("wechat.serial") }
        guard let timestamp = headers.timestamp, let seconds = TimeInterval(timestamp), abs(now.timeIntervalSince1970 - seconds) <= Self.allowedSkew
        else { throw NotificationRefusal("wechat.timestamp") }
        guard let nonce = headers.nonce, !nonce.isEmpty, let signature = headers.signature.flatMap({ Data(base64Encoded: $0) }) else {
            throw NotificationRefusal("wechat.unsigned")
        }
        let message = Array("\(timestamp)\n\(nonce)\n".utf8) + body + [0x0A]
        guard key.isValidSignature(.init(rawRepresentation: signature), for: message, padding: .insecurePKCS1v1_5) else {
            throw NotificationRefusal("wechat.signature")
        }
    }

    struct Envelope: Decodable {
        struct Resource: Decodable {
            let algorithm: String
            let ciphertext: String
            let associated_data: String?
            let nonce: String
        }
        let id: String
        let event_type: String
        let resource: Resource
    }

    /// The transaction as WeChat Pay describes it (in a notification's resource or a query's answer).
    public struct Transaction: Codable, Sendable {
        public struct Amount: Codable, Sendable {
            public let total: Int
        }
        public let appid: String
        public let mchid: String
        public let out_trade_no: String
        public let transaction_id: String?
        public let trade_state: String
        public let amount: Amount?
        public let success_time: String?
    }

    public func verify(_ body: [UInt8], headers: SignatureHeaders, now: Date = Date()) throws(NotificationRefusal) -> ProviderNotification {
        try verifySignature(body, headers: headers, now: now)
        guard let envelope = try? JSONDecoder().decode(Envelope.self, from: Data(body)) else { throw NotificationRefusal("wechat.malformed") }
        guard envelope.resource.algorithm == "AEAD_AES_256_GCM",
            let sealed = Data(base64Encoded: envelope.resource.ciphertext), sealed.count > 16,
            let nonce = try? AES.GCM.Nonce(data: Data(envelope.resource.nonce.utf8)),
            let box = try? AES.GCM.SealedBox(nonce: nonce, ciphertext: sealed.dropLast(16), tag: sealed.suffix(16)),
            let plain = try? AES.GCM.open(box, using: SymmetricKey(data: apiV3Key), authenticating: Data((envelope.resource.associated_data ?? "").utf8))
        else { throw NotificationRefusal("wechat.resource") }
        guard let transaction = try? JSONDecoder().decode(Transaction.self, from: plain) else { throw NotificationRefusal("wechat.malformed") }
        return try notification(transaction, dedupeKey: envelope.id, eventType: envelope.event_type)
    }

    /// A transaction checked against our identity and read as a notification.
    public func notification(_ transaction: Transaction, dedupeKey: String, eventType: String) throws(NotificationRefusal) -> ProviderNotification {
        guard transaction.appid == appID else { throw NotificationRefusal("wechat.app_id") }
        guard transaction.mchid == merchantID else { throw NotificationRefusal("wechat.merchant_id") }
        guard let amount = transaction.amount?.total, amount > 0, !transaction.out_trade_no.isEmpty else { throw NotificationRefusal("wechat.fields") }
        let kind: ProviderNotification.Kind = switch (eventType, transaction.trade_state) {
        case (let type, _) where type.hasPrefix("REFUND."): .refunded
        case (_, "SUCCESS"): .paid
        case (_, "CLOSED"), (_, "REVOKED"): .closed
        case (_, "REFUND"): .refunded
        default: .other
        }
        guard kind == .other || !(transaction.transaction_id ?? "").isEmpty else { throw NotificationRefusal("wechat.fields") }
        return ProviderNotification(
            provider: .wechat, dedupeKey: dedupeKey, orderNo: transaction.out_trade_no, tradeNo: transaction.transaction_id ?? "",
            kind: kind, amountFen: amount, occurredAt: transaction.success_time.flatMap { ISO8601DateFormatter().date(from: $0) })
    }
}
