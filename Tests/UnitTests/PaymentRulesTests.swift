import Foundation
import ServiceRuntime
import Testing

@testable import Payments

/// The providers' formats, without servers: money, form decoding, timestamps, signed objects.
@Suite struct PaymentRulesTests {
    @Test(arguments: [("145.00", 14_500), ("145", 14_500), ("0.5", 50), ("0.05", 5), ("1.234", nil), ("-1.00", nil), ("1e3", nil), ("", nil), ("１.00", nil)] as [(String, Int?)])
    func yuanIsReadExactly(text: String, fen: Int?) {
        #expect(Yuan.fen(text) == fen)
    }

    @Test func yuanIsWrittenWithTwoDecimals() {
        #expect(Yuan.text(14_500) == "145.00")
        #expect(Yuan.text(5) == "0.05")
    }

    @Test func formsAreDecodedFromTheirBytes() {
        let parameters = AlipayNotify.parameters(Array("a=1&subject=%E6%8A%A5%E5%90%8D+%E8%B4%B9&empty=&b=x%2By".utf8))
        #expect(parameters == ["a": "1", "subject": "报名 费", "empty": "", "b": "x+y"])
        #expect(AlipayNotify.parameters(Array("a=1&a=2".utf8)) == nil, "a name given twice")
        #expect(AlipayNotify.parameters(Array("a=%E6%8A".utf8)) == nil, "not UTF-8")
        #expect(AlipayNotify.parameters(Array("a=".utf8) + [0xE6, 0x8A]) == nil, "not UTF-8, unescaped")
        #expect(AlipayNotify.parameters(Array("a=报名".utf8)) == ["a": "报名"], "UTF-8, unescaped")
        #expect(AlipayNotify.parameters(Array("a=%G1".utf8)) == nil)
        #expect(AlipayNotify.parameters(Array("novalue".utf8)) == nil)
        #expect(AlipayNotify.signedContent(["sign": "s", "sign_type": "RSA2", "b": "2", "a": "1", "c": ""]) == "a=1&b=2")
    }

    @Test func chinaTimestampsAreReadByArithmetic() {
        let read = AlipayNotify.time("2026-09-02 10:15:30")
        #expect(read == ISO8601DateFormatter().date(from: "2026-09-02T02:15:30Z"))
        #expect(AlipayNotify.time("2026-02-30 10:00:00") == nil)
        #expect(AlipayNotify.time("2026-09-02 24:00:00") == nil)
        #expect(CalendarDate.start(of: DateComponents(year: 2000, month: 3, day: 1)) == ISO8601DateFormatter().date(from: "2000-02-29T16:00:00Z"))
    }

    /// What our queries put in Alipay's `timestamp`: the same China time, written back.
    @Test func chinaTimestampsAreWrittenAsRead() {
        for text in ["2026-09-02 10:15:30", "2026-12-31 23:59:59", "2027-01-01 00:00:00"] {
            #expect(AlipayNotify.time(text).map(ProviderQueries.chinaTime) == text)
        }
        #expect(ProviderQueries.chinaTime(ISO8601DateFormatter().date(from: "2026-09-01T16:00:01Z")!) == "2026-09-02 00:00:01")
    }

    @Test func alipaySignsTheExactTextOfItsAnswerObject() {
        let body = Array(#"{"alipay_trade_query_response":{"code":"10000","msg":"a \"}\" b","nested":{"x":1}},"sign":"abc"}"#.utf8)
        let object = ProviderQueries.rawObject(named: "alipay_trade_query_response", in: body)
        #expect(object.map { String(decoding: $0, as: UTF8.self) } == #"{"code":"10000","msg":"a \"}\" b","nested":{"x":1}}"#)
        #expect(ProviderQueries.rawObject(named: "missing", in: body) == nil)
        #expect(ProviderQueries.rawObject(named: "alipay_trade_query_response", in: Array(#"{"alipay_trade_query_response":{"open":1"#.utf8)) == nil)
    }
}
