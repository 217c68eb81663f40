/// 考生号 (SPEC §5): 14 digits = 2-digit year + 6-digit county code of the confirming point +
/// 6-digit sequence within that county.
public struct CandidateNumber: Sendable, Equatable, CustomStringConvertible {
    public let year: Int
    public let countyCode: String
    public let sequence: Int

    public init?(year: Int, countyCode: String, sequence: Int) {
        guard countyCode.count == 6, countyCode.allSatisfy({ $0.isASCII && $0.isNumber }), (1...999_999).contains(sequence) else { return nil }
        self.year = year
        self.countyCode = countyCode
        self.sequence = sequence
    }

    public var description: String {
        let yy = String(year % 100)
        let number = String(sequence)
        return String(repeating: "0", count: 2 - yy.count) + yy + countyCode + String(repeating: "0", count: 6 - number.count) + number
    }
}
