import Foundation

/// A point's working hours (seed 四.3: 08:00-12:00 and 15:00-18:00), as `[["08:00","12:00"], ...]`
/// in China's time, and the one test of whether a moment falls inside them.
enum PointHours {
    static let standard = [["08:00", "12:00"], ["15:00", "18:00"]]
    static let timeZone = TimeZone(identifier: "Asia/Shanghai")!

    /// Minutes since midnight of "HH:MM" (00:00-24:00).
    static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) }),
            let hours = Int(parts[0]), let minutes = Int(parts[1]), (0...24).contains(hours), (0...59).contains(minutes),
            hours * 60 + minutes <= 24 * 60
        else { return nil }
        return hours * 60 + minutes
    }

    /// Intervals that are well-formed, each starting before it ends, in order, not overlapping.
    static func isValid(_ hours: [[String]]) -> Bool {
        guard (1...4).contains(hours.count) else { return false }
        var previousEnd = -1
        for interval in hours {
            guard interval.count == 2, let start = minutes(interval[0]), let end = minutes(interval[1]), start < end, start >= previousEnd else {
                return false
            }
            previousEnd = end
        }
        return true
    }

    static func contains(_ hours: [[String]], _ moment: Date) -> Bool {
        let now = minuteOfDay(moment)
        return covers(hours, from: now, to: now + 1)
    }

    /// Whether the span from `start` to `end` (minutes since midnight, `end` up to 24:00) lies
    /// within one of the intervals: an appointment slot must, and so must the moment of on-site work.
    static func covers(_ hours: [[String]], from start: Int, to end: Int) -> Bool {
        start < end && hours.contains { interval in
            guard interval.count == 2, let open = minutes(interval[0]), let close = minutes(interval[1]) else { return false }
            return open <= start && end <= close
        }
    }

    private static func minuteOfDay(_ moment: Date) -> Int {
        let parts = calendar.dateComponents([.hour, .minute], from: moment)
        return parts.hour! * 60 + parts.minute!
    }

    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }()
}
