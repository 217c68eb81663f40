import Foundation
import ServiceRuntime
import Testing

@testable import ConfirmationService
@testable import Photos
@testable import RegistrationService

/// The pure rules of on-site work: working hours, image headers, batch files of paper forms.
@Suite struct OnSiteRulesTests {
    static func shanghai(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: text + "+08:00")!
    }

    @Test(arguments: [
        ("2026-09-02T07:59:59", false), ("2026-09-02T08:00:00", true), ("2026-09-02T11:59:00", true), ("2026-09-02T12:00:00", false),
        ("2026-09-02T14:30:00", false), ("2026-09-02T15:00:00", true), ("2026-09-02T18:00:00", false),
    ])
    func standardHoursAreReadInChinasTime(moment: String, open: Bool) {
        #expect(PointHours.contains(PointHours.standard, Self.shanghai(moment)) == open)
    }

    @Test func hoursMustBeOrderedAndWellFormed() {
        #expect(PointHours.isValid(PointHours.standard))
        #expect(PointHours.isValid([["00:00", "24:00"]]))
        #expect(!PointHours.isValid([]))
        #expect(!PointHours.isValid([["18:00", "08:00"]]))
        #expect(!PointHours.isValid([["08:00", "12:00"], ["11:00", "13:00"]]))
        #expect(!PointHours.isValid([["8:00", "12:00"]]))
        #expect(!PointHours.isValid([["08:00", "24:30"]]))
        #expect(!PointHours.isValid([["08:00"]]))
        #expect(CalendarDate.text(of: Self.shanghai("2026-09-02T00:30:00")) == "2026-09-02", "past midnight in China is the next day already")
    }

    /// One reading of a time of day for hours and slots: an evening interval may end at 24:00.
    @Test func aSpanMustLieWithinOneInterval() {
        let hours = [["08:00", "12:00"], ["14:00", "24:00"]]
        func span(_ start: String, _ end: String) -> Bool { PointHours.covers(hours, from: PointHours.minutes(start)!, to: PointHours.minutes(end)!) }
        #expect(span("08:00", "12:00"))
        #expect(span("15:00", "16:00"))
        #expect(span("22:00", "23:59"))
        #expect(span("23:00", "24:00"))
        #expect(!span("11:00", "15:00"), "across the break")
        #expect(!span("12:30", "13:30"))
        #expect(!span("16:00", "15:00"))
        #expect(!span("07:30", "08:30"))
        #expect(PointHours.contains(hours, Self.shanghai("2026-09-02T23:59:00")))
    }

    /// The arithmetic gives the day Foundation's calendar gives, around midnight in China and for
    /// any moment from 1992 (China kept daylight saving time from 1986 to 1991; moments this
    /// system reads, such as now and its calendars, are later).
    @Test func theDayOfAMomentIsTheCalendarsDay() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        var generator = SystemRandomNumberGenerator()
        let edges: [TimeInterval] = [694_195_200 - 8 * 3600 - 1, 694_195_200 - 8 * 3600, 951_753_600, 1_788_192_000 - 8 * 3600, 4_102_444_799]
        let moments = edges + (0..<2000).map { _ in TimeInterval(Int64.random(in: 694_195_200...4_102_444_800, using: &generator)) }
        for seconds in moments {
            let moment = Date(timeIntervalSince1970: seconds)
            let expected = calendar.dateComponents([.year, .month, .day], from: moment)
            let day = CalendarDate.day(of: moment)
            #expect((day.year, day.month, day.day) == (expected.year, expected.month, expected.day), "at \(seconds)")
            #expect(CalendarDate.start(of: day) <= moment && moment < CalendarDate.start(of: day).addingTimeInterval(86_400))
        }
    }

    @Test(arguments: [("2026-02-28", true), ("2026-02-29", false), ("2028-02-29", true), ("2026-13-01", false), ("2026-1-01", false), ("abcd-ef-gh", false)])
    func overrideDaysAreRealDays(text: String, valid: Bool) {
        #expect(CalendarDate.isValid(text) == valid)
    }

    @Test func imageHeadersAreReadFromBytesAndNeverTrustedBeyondThem() {
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8)
        png += [0, 0, 0x01, 0xE0, 0, 0, 0x02, 0x80]
        #expect(ImageHeader.read(png) == ImageHeader(format: .png, width: 480, height: 640))
        var bmp: [UInt8] = [0x42, 0x4D] + [UInt8](repeating: 0, count: 12) + [40, 0, 0, 0] + [102, 0, 0, 0] + [0x82, 0xFF, 0xFF, 0xFF]
        bmp += [0, 0]
        #expect(ImageHeader.read(bmp) == ImageHeader(format: .bmp, width: 102, height: 126), "a top-down BMP has a negative height")
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x02, 0x80, 0x01, 0xE0, 0x03]
        #expect(ImageHeader.read(jpeg) == ImageHeader(format: .jpeg, width: 480, height: 640))
        #expect(ImageHeader.read(Array("GIF89a....".utf8)) == nil)
        // Cut anywhere, a header is nil or a size, never a crash.
        for cut in 0..<jpeg.count { _ = ImageHeader.read(Array(jpeg.prefix(cut))) }
        for cut in 0..<png.count { _ = ImageHeader.read(Array(png.prefix(cut))) }
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let noise = [0xFF, 0xD8, 0xFF] + (0..<Int.random(in: 0...64, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            _ = ImageHeader.read(noise)
        }
    }

    @Test func imageRulesRefuseBeforeDecoding() throws {
        let normaliser = ImageNormaliser()
        #expect(throws: ImageProblem.empty) { try normaliser.check([], rules: .candidatePhoto) }
        #expect(throws: ImageProblem.notAnImage) { try normaliser.check(Array("hello.jpg".utf8), rules: .candidatePhoto) }
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8)
        png += [0, 0, 0, 10, 0, 0, 0, 10]
        #expect(throws: ImageProblem.tooSmall(width: 10, height: 10, minWidth: 100, minHeight: 120)) { try normaliser.check(png, rules: .candidatePhoto) }
    }

    @Test func aCSVBatchIsReadWithItsByteOrderMarkAndBlankLinesSkipped() throws {
        let text = "\u{FEFF}草表编号,证件号码,姓名\r\nA1,110101199003071234,张三\r\n,,\r\nA2,\"11010119900307123X\",\"李, 四\"\r\n"
        let file = try UploadedTable.read(Array(text.utf8))
        #expect(file.columns == ["草表编号", "证件号码", "姓名"])
        #expect(file.rows.map(\.number) == [2, 4])
        #expect(file.rows[1].cells["姓名"] == "李, 四")
        let (names, problems) = PaperForm.fieldNames(of: file.columns + ["血型"])
        #expect(names["证件号码"] == "documentNumber")
        #expect(problems.contains("未知的列：血型"))
        #expect(problems.contains { $0.contains("phone") } && problems.contains { $0.contains("countyID") })
        #expect(throws: UploadedTable.Problem.notUTF8) { try UploadedTable.read([0xC3, 0x28, 0x41]) }
        #expect(throws: UploadedTable.Problem.empty) { try UploadedTable.read(Array("rowID,name\r\n".utf8)) }
        #expect(throws: UploadedTable.Problem.unreadableXLSX("不是有效的 XLSX 文件")) { try UploadedTable.read([0x50, 0x4B, 0x03, 0x04, 1, 2, 3]) }
    }

    @Test func aPaperFormRowNamesEveryBadField() {
        let names = Dictionary(uniqueKeysWithValues: PaperForm.columns.map { ($0.field, $0.field) })
        let row = UploadedTable.Row(number: 2, cells: [
            "rowID": "A1", "documentNumber": "110101199003071235", "name": "张", "phone": "123", "countyID": "430102",
            "gender": "未知", "choice1.level": "博士", "choice1.studyForm": "夜校",
        ])
        guard case .problems(let problems) = PaperForm.read(row, names: names, point: "P1") else {
            Issue.record("a bad row was accepted")
            return
        }
        #expect(Set(problems.map(\.field)) == ["documentNumber", "name", "phone", "basic.gender", "choice1.level", "choice1.studyForm"])
    }

    @Test(arguments: [("A1", 0), ("Z9", 25), ("AA3", 26), ("AB12", 27), ("", nil), ("1A", nil)] as [(String, Int?)])
    func xlsxColumnsAreLettered(reference: String, index: Int?) {
        #expect(XLSXSheet.columnIndex(reference) == index)
    }
}
