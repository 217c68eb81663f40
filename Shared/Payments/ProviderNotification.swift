import Foundation

/// The payment providers the system takes money through.
public enum PaymentProvider: String, Codable, Sendable, CaseIterable {
    case alipay
    case wechat
}

/// A provider's statement about one of our orders, after its signature and identity checks.
public struct ProviderNotification: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        /// The money was taken (Alipay TRADE_SUCCESS / TRADE_FINISHED, WeChat SUCCESS).
        case paid
        /// The trade was closed unpaid.
        case closed
        /// The money went back.
        case refunded
        /// Anything else (waiting for the buyer, ...): stored, changes nothing.
        case other
    }

    public let provider: PaymentProvider
    /// What makes a repeat of this notification recognisable (Alipay's notify_id, WeChat's id).
    public let dedupeKey: String
    public let orderNo: String
    /// The provider's transaction id; payments are applied once per transaction.
    public let tradeNo: String
    public let kind: Kind
    public let amountFen: Int
    public let occurredAt: Date?

    public init(provider: PaymentProvider, dedupeKey: String, orderNo: String, tradeNo: String, kind: Kind, amountFen: Int, occurredAt: Date?) {
        self.provider = provider
        self.dedupeKey = dedupeKey
        self.orderNo = orderNo
        self.tradeNo = tradeNo
        self.kind = kind
        self.amountFen = amountFen
        self.occurredAt = occurredAt
    }
}

/// Why a notification was refused: a stable code, safe to log (no personal data, no body).
public struct NotificationRefusal: Error, Equatable, Sendable, CustomStringConvertible {
    public let code: String

    public init(_ code: String) { self.code = code }
    public var description: String { code }
}

/// Money as providers write it: "145.00" yuan to 14500 fen; nil for anything else.
public enum Yuan {
    public static func fen(_ text: String) -> Int? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = Int(parts[0]), whole >= 0, parts[0].allSatisfy(\.isASCII) else { return nil }
        var cents = 0
        if parts.count == 2 {
            guard (1...2).contains(parts[1].count), parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(parts[1]) else { return nil }
            cents = parts[1].count == 1 ? value * 10 : value
        }
        let (total, overflow) = whole.multipliedReportingOverflow(by: 100)
        return overflow ? nil : total + cents
    }

    public static func text(_ fen: Int) -> String {
        let cents = fen % 100
        return "\(fen / 100)." + (cents < 10 ? "0" : "") + "\(cents)"
    }
}
