import Foundation

/// Calendar dates (birth, graduation, working days) as `YYYY-MM-DD` in China's time zone. Checked and
/// compared by arithmetic on (year, month, day): Foundation's calendar is slow enough to show in
/// a submission's cost, and these dates need none of it.
public enum CalendarDate {
    static let calendar: Foundation.Calendar = {
        var calendar = Foundation.Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        return calendar
    }()

    /// The date, if `text` is a real `YYYY-MM-DD` date.
    public static func parse(_ text: String) -> DateComponents? {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
        return isReal(year: year, month: month, day: day) ? DateComponents(year: year, month: month, day: day) : nil
    }

    public static func isReal(year: Int, month: Int, day: Int) -> Bool {
        guard year >= 1900, (1...12).contains(month), day >= 1 else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= lengths[month - 1]
    }

    /// Whether `text` is a real `YYYY-MM-DD` date.
    public static func isValid(_ text: String) -> Bool { parse(text) != nil }

    /// The day `moment` falls on in China, as `YYYY-MM-DD`.
    public static func text(of moment: Date) -> String {
        let parts = day(of: moment)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }

    /// The day `moment` falls on in China, by arithmetic: the inverse of `start(of:)`. (UTC+8 all
    /// year since 1992; the moments read here, now and the year's calendar, are all later.)
    public static func day(of moment: Date) -> DateComponents {
        let days = Int(((moment.timeIntervalSince1970 + 8 * 3600) / 86_400).rounded(.down)) + 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return DateComponents(year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month: month, day: day)
    }

    /// The moment `day` begins in China (UTC+8 all year since 1992), by arithmetic (days from the civil date).
    public static func start(of day: DateComponents) -> Date {
        let (year, month, dayOfMonth) = (day.year ?? 1970, day.month ?? 1, day.day ?? 1)
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + dayOfMonth - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return Date(timeIntervalSince1970: TimeInterval((era * 146_097 + dayOfEra - 719_468) * 86_400 - 8 * 3600))
    }

    /// Whether `a` is a later day than `b`.
    public static func isAfter(_ a: DateComponents, _ b: DateComponents) -> Bool {
        (a.year ?? 0, a.month ?? 0, a.day ?? 0) > (b.year ?? 0, b.month ?? 0, b.day ?? 0)
    }

    /// Whole years between `birth` and `reference`.
    public static func age(born birth: DateComponents, at reference: DateComponents) -> Int {
        let years = (reference.year ?? 0) - (birth.year ?? 0)
        return (reference.month ?? 0, reference.day ?? 0) < (birth.month ?? 0, birth.day ?? 0) ? years - 1 : years
    }

    public static func display(_ date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%04d年%d月%d日%02d:%02d", parts.year!, parts.month!, parts.day!, parts.hour!, parts.minute!)
    }
}
