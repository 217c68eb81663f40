import Foundation
import Hummingbird
import Logging
import NIOCore
import Payments
import PostgresNIO
import ServiceRuntime

/// The providers' notification endpoints. A notification is verified over its raw bytes, then
/// stored (the inbox) before it is answered: Alipay gets exactly `success`, WeChat Pay a 200,
/// only after the commit. A repeat is recognised by its key and answered the same way; the
/// payment worker applies what is stored. A refused notification is answered 4xx and logged by
/// its reason code only (never its body: it names the payer).
struct NotificationInbox: Sendable {
    let alipay: AlipayNotify
    let wechat: WeChatPayNotify
    let postgres: PostgresClient
    let logger: Logger

    static let maxBytes = 64 * 1024

    init(alipay: AlipayNotify, wechat: WeChatPayNotify, postgres: PostgresClient, logger: Logger) {
        self.alipay = alipay
        self.wechat = wechat
        self.postgres = postgres
        self.logger = logger
    }

    init(settings: PaymentSettings, postgres: PostgresClient, logger: Logger) {
        self.init(
            alipay: AlipayNotify(appID: settings.alipayAppID, sellerID: settings.alipaySellerID, publicKey: settings.alipayPublicKey),
            wechat: WeChatPayNotify(
                merchantID: settings.wechatMerchantID, appID: settings.wechatAppID, apiV3Key: settings.wechatAPIv3Key,
                platformKeys: settings.wechatPlatformKeys),
            postgres: postgres, logger: logger)
    }

    func add(to router: Router<BasicRequestContext>) {
        router.post("callbacks/alipay", use: alipayNotify)
        router.post("callbacks/wechat", use: wechatNotify)
    }

    @Sendable func alipayNotify(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let body = Array(buffer: try await request.body(upTo: Self.maxBytes, orElse: APIError(.contentTooLarge, code: "too_large", message: "too large")))
        let notification: ProviderNotification
        do {
            notification = try alipay.verify(body)
        } catch {
            refused(.alipay, error)
            return Self.text("fail", status: .badRequest)
        }
        try await store(notification, raw: body)
        return Self.text("success", status: .ok)
    }

    @Sendable func wechatNotify(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let body = Array(buffer: try await request.body(upTo: Self.maxBytes, orElse: APIError(.contentTooLarge, code: "too_large", message: "too large")))
        let headers = WeChatPayNotify.SignatureHeaders(
            timestamp: request.headers[.init("Wechatpay-Timestamp")!], nonce: request.headers[.init("Wechatpay-Nonce")!],
            signature: request.headers[.init("Wechatpay-Signature")!], serial: request.headers[.init("Wechatpay-Serial")!])
        let notification: ProviderNotification
        do {
            notification = try wechat.verify(body, headers: headers)
        } catch {
            refused(.wechat, error)
            let status: HTTPResponse.Status = ["wechat.signature", "wechat.serial", "wechat.timestamp", "wechat.unsigned"].contains(error.code) ? .unauthorized : .badRequest
            return Self.text(#"{"code":"FAIL","message":"\#(error.code)"}"#, status: status, json: true)
        }
        try await store(notification, raw: body)
        return Response(status: .ok)
    }

    private func refused(_ provider: PaymentProvider, _ refusal: NotificationRefusal) {
        logger.warning("payment notification refused", metadata: ["provider": "\(provider.rawValue)", "reason": "\(refusal.code)"])
    }

    /// The inbox row; a repeat (same provider and key) changes nothing.
    func store(_ notification: ProviderNotification, raw: [UInt8], source: String = "notify") async throws {
        // A prepared statement: the hot path of the peak, parsed and planned once per connection.
        for try await _ in try await postgres.execute(StoreNotification(notification: notification, raw: raw, source: source), logger: logger) {}
    }

    struct StoreNotification: PostgresPreparedStatement {
        static let sql = """
            INSERT INTO payment_notification (provider, source, dedupe_key, order_no, trade_no, kind, amount_fen, occurred_at, raw)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            ON CONFLICT (provider, dedupe_key) DO NOTHING
            """
        typealias Row = ()

        let notification: ProviderNotification
        let raw: [UInt8]
        let source: String

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 9)
            bindings.append(notification.provider.rawValue)
            bindings.append(source)
            bindings.append(notification.dedupeKey)
            bindings.append(notification.orderNo)
            bindings.append(notification.tradeNo)
            bindings.append(notification.kind.rawValue)
            bindings.append(notification.amountFen)
            bindings.append(notification.occurredAt)
            bindings.append(ByteBuffer(bytes: raw))
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws {}
    }

    static func text(_ text: String, status: HTTPResponse.Status, json: Bool = false) -> Response {
        Response(
            status: status, headers: [.contentType: json ? "application/json" : "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
