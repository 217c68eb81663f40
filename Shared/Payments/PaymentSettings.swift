import Foundation
import Settings
import _CryptoExtras

/// The providers' identities and keys, and the payment rules that are settings rather than
/// exam-year data. Keys are given as base64 of their PEM text (one line in an environment file).
public struct PaymentSettings: Sendable {
    /// Alipay: our app id and seller (merchant) id, Alipay's public key for notifications, and
    /// our app's private key, which signs what we ask Alipay (the active query).
    public let alipayAppID: String
    public let alipaySellerID: String
    public let alipayPublicKey: _RSA.Signing.PublicKey
    public let alipayAppPrivateKey: _RSA.Signing.PrivateKey
    /// WeChat Pay v3: our merchant and app ids, the APIv3 key (32 bytes) that seals resources,
    /// and the platform's public keys by certificate serial; our merchant private key and its
    /// certificate's serial, which sign what we ask WeChat Pay.
    public let wechatMerchantID: String
    public let wechatAppID: String
    public let wechatAPIv3Key: [UInt8]
    public let wechatPlatformKeys: [String: _RSA.Signing.PublicKey]
    public let wechatMerchantPrivateKey: _RSA.Signing.PrivateKey
    public let wechatMerchantSerial: String
    /// Where orders are queried (the simulator in development).
    public let providerURL: String
    /// An order still open this long after it was made is queried from its provider.
    public let queryAfter: Duration

    public init(reader: SettingsReader) throws(SettingError) {
        alipayAppID = try reader.string("alipay.app.id", default: "2021000000000001")
        alipaySellerID = try reader.string("alipay.seller.id", default: "2088000000000001")
        alipayPublicKey = try Self.publicKey(try reader.requiredSecret("alipay.public.key"), setting: "alipay.public.key")
        alipayAppPrivateKey = try Self.privateKey(try reader.requiredSecret("alipay.app.private.key"), setting: "alipay.app.private.key")
        wechatMerchantID = try reader.string("wechat.merchant.id", default: "1900000001")
        wechatAppID = try reader.string("wechat.app.id", default: "wx0000000000000001")
        let v3 = Array(try reader.requiredSecret("wechat.api.v3.key").utf8)
        guard v3.count == 32 else {
            throw SettingError(setting: SettingsReader.environmentName("wechat.api.v3.key"), value: nil, reason: "expected 32 characters")
        }
        wechatAPIv3Key = v3
        var platform: [String: _RSA.Signing.PublicKey] = [:]
        for entry in try reader.requiredSecret("wechat.platform.keys").split(separator: ",") {
            let parts = entry.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else {
                throw SettingError(setting: SettingsReader.environmentName("wechat.platform.keys"), value: nil, reason: "expected serial:base64-pem entries")
            }
            platform[String(parts[0])] = try Self.publicKey(String(parts[1]), setting: "wechat.platform.keys")
        }
        wechatPlatformKeys = platform
        wechatMerchantPrivateKey = try Self.privateKey(try reader.requiredSecret("wechat.merchant.private.key"), setting: "wechat.merchant.private.key")
        wechatMerchantSerial = try reader.requiredSecret("wechat.merchant.serial")
        providerURL = try PaymentOrderSettings(reader: reader).providerURL
        queryAfter = .seconds(try reader.integer("payment.query.after", default: 120, in: 1...86_400))
    }

    static func publicKey(_ base64: String, setting: String) throws(SettingError) -> _RSA.Signing.PublicKey {
        try pem(base64, setting: setting, kind: "public") { try _RSA.Signing.PublicKey(pemRepresentation: $0) }
    }

    static func privateKey(_ base64: String, setting: String) throws(SettingError) -> _RSA.Signing.PrivateKey {
        try pem(base64, setting: setting, kind: "private") { try _RSA.Signing.PrivateKey(pemRepresentation: $0) }
    }

    /// A key given as base64 of its PEM text (one line in an environment file).
    private static func pem<Key>(_ base64: String, setting: String, kind: String, _ make: (String) throws -> Key) throws(SettingError) -> Key {
        guard let pem = Data(base64Encoded: base64).map({ String(decoding: $0, as: UTF8.self) }), let key = try? make(pem) else {
            throw SettingError(setting: SettingsReader.environmentName(setting), value: nil, reason: "expected base64 of an RSA \(kind) key in PEM")
        }
        return key
    }
}

/// What taking an order needs (the candidate-facing side, without the providers' keys).
public struct PaymentOrderSettings: Sendable {
    /// Where candidates are sent to pay (the providers' pay pages; the simulator in development).
    public let providerURL: String
    /// How long an order may be paid.
    public let orderLifetime: Duration

    public init(reader: SettingsReader) throws(SettingError) {
        providerURL = try reader.string("payment.provider.url", default: "http://127.0.0.1:8110")
        orderLifetime = .seconds(try reader.integer("payment.order.minutes", default: 30, in: 1...1440) * 60)
    }
}
