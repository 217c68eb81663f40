import Foundation
import Payments
import ServiceRuntime

/// A candidate's order to pay the year's fee at one provider (网上缴费). It is stored before the
/// candidate is sent to the provider, so that the provider's notification always finds it.
struct PaymentOrder: Codable, Sendable, Equatable {
    let orderNo: String
    let provider: PaymentProvider
    let amountFen: Int
    let status: String
    let expiresAt: Date

    /// `E` + year + 16 random characters: unguessable, and never the same twice in practice
    /// (the primary key refuses a repeat).
    static func newNumber(year: Int) -> String {
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return "E\(year)" + String((0..<16).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
    }
}

/// Why a candidate cannot pay now.
enum PaymentOrderRefusal {
    static let noYear = Refusal.notFound("exam_year.none", "本年度报名尚未开放")
    static let closed = Refusal.conflict("payment.closed", "缴费已截止")
    static let alreadyPaid = Refusal.conflict("payment.already_paid", "已缴费，无需重复缴费")
    static let invalid = Refusal.conflict("payment.invalid", "报名已无效，不能缴费")
    static let notConfirmed = Refusal.conflict("payment.not_confirmed", "现场确认后才能缴费")
    static let noOrder = Refusal.notFound("payment.no_order", "尚未发起缴费")
}
