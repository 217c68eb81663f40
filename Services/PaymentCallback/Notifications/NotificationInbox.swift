import Access
import Foundation
import Hummingbird
import Logging
import NIOCore
import Payments
import PostgresNIO
import ServiceRuntime
import Storage

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
    private let inserts: StatementBatcher<StoredNotification, Void, String>

    static let maxBytes = 64 * 1024

    init(alipay: AlipayNotify, wechat: WeChatPayNotify, postgres: PostgresClient, logger: Logger) {
        self.alipay = alipay
        self.wechat = wechat
        self.postgres = postgres
        self.logger = logger
        // One statement at a time: the callbacks arriving meanwhile share the next one (about 20
        // rows per statement and commit under load instead of about 6 with four in flight, for
        // less CPU per notification in this process; a callback's own wait stays a few ms).
        self.inserts = StatementBatcher(maxInFlight: 1, key: { "\($0.notification.provider.rawValue)\u{0}\($0.notification.dedupeKey)" }) { rows in
            // A prepared statement: the hot path of the peak, parsed and planned once per connection.
            _ = try await postgres.execute(StoreNotifications(rows), logger: logger)
            return rows.map { _ in () }
        }
    }

    init(settings: PaymentSettings, postgres: PostgresClient, logger: Logger) {
        self.init(
            alipay: AlipayNotify(appID: settings.alipayAppID, sellerID: settings.alipaySellerID, publicKey: settings.alipayPublicKey),
            wechat: WeChatPayNotify(
                merchantID: settings.wechatMerchantID, appID: settings.wechatAppID, apiV3Key: settings.wechatAPIv3Key,
                platformKeys: settings.wechatPlatformKeys),
            postgres: postgres, logger: logger)
    }

    func add(to routes: ServiceRoutes) {
        routes.open.post("callbacks/alipay", use: alipayNotify)
        routes.open.post("callbacks/wechat", use: wechatNotify)
    }

    @Sendable func alipayNotify(_ request: Request, _ context: ExamRequestContext) async throws -> Response {
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

    @Sendable func wechatNotify(_ request: Request, _ context: ExamRequestContext) async throws -> Response {
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

    /// The inbox row; a repeat (same provider and key) changes nothing. Concurrent notifications
    /// share one statement and one commit (`StatementBatcher`); each is answered after it.
    func store(_ notification: ProviderNotification, raw: [UInt8], source: String = "notify") async throws {
        try await inserts.submit(StoredNotification(notification: notification, raw: raw, source: source))
    }

    struct StoredNotification: Sendable {
        let notification: ProviderNotification
        let raw: [UInt8]
        let source: String
    }

    struct StoreNotifications: PostgresPreparedStatement {
        /// A new notification also joins the applier's queue (`payment_notification_pending`).
        static let sql = """
            WITH stored AS (
                INSERT INTO payment_notification (provider, source, dedupe_key, order_no, trade_no, kind, amount_fen, occurred_at, raw)
                SELECT provider, source, dedupe_key, order_no, trade_no, kind, amount_fen,
                       CASE WHEN occurred_us = -1 THEN NULL ELSE to_timestamp(occurred_us / 1e6) END, raw
                FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::bigint[], $9::bytea[])
                     AS t(provider, source, dedupe_key, order_no, trade_no, kind, amount_fen, occurred_us, raw)
                ON CONFLICT (provider, dedupe_key) DO NOTHING
                RETURNING id)
            INSERT INTO payment_notification_pending (id) SELECT id FROM stored
            """
        typealias Row = ()

        var providers: [String] = [], sources: [String] = [], keys: [String] = [], orders: [String] = [], trades: [String] = []
        var kinds: [String] = [], amounts: [Int32] = [], occurred: [Int64] = [], raws: [ByteBuffer] = []

        init(_ rows: [StoredNotification]) {
            for row in rows {
                let notification = row.notification
                providers.append(notification.provider.rawValue)
                sources.append(row.source)
                keys.append(notification.dedupeKey)
                orders.append(notification.orderNo)
                trades.append(notification.tradeNo)
                kinds.append(notification.kind.rawValue)
                amounts.append(Int32(clamping: notification.amountFen))
                occurred.append(notification.occurredAt.map { Int64(($0.timeIntervalSince1970 * 1_000_000).rounded()) } ?? -1)
                raws.append(ByteBuffer(bytes: row.raw))
            }
        }

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 9)
            bindings.append(providers)
            bindings.append(sources)
            bindings.append(keys)
            bindings.append(orders)
            bindings.append(trades)
            bindings.append(kinds)
            bindings.append(amounts)
            bindings.append(occurred)
            bindings.append(raws)
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
