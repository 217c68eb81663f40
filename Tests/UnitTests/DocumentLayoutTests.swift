import Crypto
import Foundation
import Testing

@testable import DocumentGenerationService

/// The renderer and the bundled layouts without servers: every layout draws with exactly the
/// names its contract gives, a mistake in a layout is named, text that does not fit is drawn
/// smaller (never cut), a character no font has is counted, and the tickets' codes verify only
/// as signed.
@Suite struct DocumentLayoutTests {
    @Test(arguments: PageKind.allCases) func everyBundledLayoutDrawsItsContract(_ kind: PageKind) throws {
        let layout = try kind.bundledLayout
        #expect(layout.page.width == 210 && layout.page.height == 297, "A4")
        try kind.check(layout)
        let document = try DocumentRenderer.render([.init(layout: layout, content: kind.sampleContent)], title: kind.rawValue)
        #expect(document.pdf.starts(with: Array("%PDF-".utf8)) && document.pages == 1 && document.missingGlyphs.isEmpty)
    }

    @Test func aLayoutNamingWhatTheContractLacksIsRefusedByName() throws {
        let layout = Layout(
            page: .init(width: 210, height: 297), font: "Noto Sans CJK SC",
            elements: [.text(.init(text: "姓名 {nmae}", x: 10, y: 10, width: 50, height: 10, size: 10, bold: nil, align: nil, valign: nil, wrap: nil))])
        #expect(throws: LayoutError.unknownValue("nmae")) { try PageKind.admissionTicket.check(layout) }
        let grid = Layout(
            page: .init(width: 210, height: 297), font: "Noto Sans CJK SC",
            elements: [.repeat(.init(list: "rooms", x: 0, y: 0, columns: 1, rows: 5, cellWidth: 10, cellHeight: 10, elements: []))])
        #expect(throws: LayoutError.unknownList("rooms")) { try PageKind.admissionTicket.check(grid) }
    }

    @Test func textThatDoesNotFitIsDrawnSmallerAndMissingCharactersAreCounted() throws {
        let canvas = try PDFCanvas(widthMM: 210, heightMM: 297, title: "test")
        let style = PDFCanvas.Text(family: "Noto Sans CJK SC", size: 12)
        #expect(canvas.text("张三", style, x: 10, y: 10, width: 100, height: 10) == .init(size: 12, unknownGlyphs: 0))
        let long = canvas.text("湖南省长沙市芙蓉区五一大道一百号第一中学考点综合楼", style, x: 10, y: 30, width: 40, height: 10)
        #expect(long.size < 12 && long.size > 4, "\(long.size)")
        var wrapped = style
        wrapped.wrap = true
        let paragraph = canvas.text(String(repeating: "考生须知。", count: 200), wrapped, x: 10, y: 50, width: 100, height: 30)
        #expect(paragraph.size < 12, "\(paragraph.size)")
        #expect(canvas.text("编排𪛖", style, x: 10, y: 90, width: 100, height: 10).unknownGlyphs == 1)
        #expect(canvas.missingCharacters(in: "编排𪛖", family: "Noto Sans CJK SC") == ["𪛖"])
        #expect(try canvas.finish().count > 1000)
    }

    @Test func aTicketCodeVerifiesOnlyAsSigned() throws {
        let key = DocumentSettings.SigningKey(id: "k1", seed: Array(repeating: 7, count: 32))
        let code = TicketCode(year: 2026, ticket: "43010100117", candidateNumber: "26430102000001", site: "ES430102A", room: "001", seat: "17", name: "李明")
        let signed = try code.signed(with: key)
        let keys = ["k1": key.publicKey]
        #expect(try TicketCode.verify(signed, keys: keys).get() == code)
        #expect(code.nameDigest == TicketCode.digest(name: "李明", candidateNumber: "26430102000001") && code.nameDigest != TicketCode.digest(name: "李敏", candidateNumber: "26430102000001"))
        var parts = signed.split(separator: ".").map(String.init)
        let other = TicketCode(year: 2026, ticket: "43010100118", candidateNumber: "26430102000001", site: "ES430102A", room: "001", seat: "18", name: "李明")
        parts[2] = Base64URL.encode(Array(other.payload.utf8))
        #expect(TicketCode.verify(parts.joined(separator: "."), keys: keys) == .failure(.badSignature))
        #expect(TicketCode.verify(signed, keys: ["k2": key.publicKey]) == .failure(.unknownKey))
        #expect(TicketCode.verify("ZK1.k1.!!.??", keys: keys) == .failure(.malformed))
        #expect(TicketCode.verify(signed, keys: ["k1": Curve25519.Signing.PrivateKey().publicKey]) == .failure(.badSignature))
    }
}
