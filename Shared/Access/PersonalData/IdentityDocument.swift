import Foundation

/// The kinds of identity document a candidate may register with (SPEC §2).
public enum IdentityDocumentType: String, Codable, Sendable, CaseIterable {
    /// 居民身份证: 18 characters with a check character.
    case residentID = "resident_id"
    /// 港澳台居民居住证 / 港澳居民来往内地通行证 / 台湾居民来往大陆通行证
    case hongKongMacauTaiwanPermit = "hmt_permit"
    /// 华侨 (passport)
    case overseasChinesePassport = "overseas_chinese_passport"
    /// 外国人永久居留身份证
    case foreignerResidencePermit = "foreigner_residence_permit"
}

/// A validated document number. A resident ID passes ISO 7064 MOD 11-2 and carries a real birth
/// date; its 17th digit gives the holder's gender. The value is normalised (upper-case `X`).
public struct IdentityDocument: Sendable, Equatable {
    public let type: IdentityDocumentType
    public let number: String

    /// For a number validated before (read back from storage); new input goes through `validate`.
    public init(type: IdentityDocumentType, number: String) {
        self.type = type
        self.number = number
    }

    public enum Problem: String, Error, Sendable {
        case empty, tooLong, format, checkDigit, birthDate

        public var code: String {
            switch self {
            case .empty: "required"
            case .tooLong: "too_long"
            case .format: "id_number.format"
            case .checkDigit: "id_number.check_digit"
            case .birthDate: "id_number.birth_date"
            }
        }

        public var message: String {
            switch self {
            case .empty: "必须填写证件号码"
            case .tooLong: "证件号码过长"
            case .format: "证件号码格式不正确（居民身份证为 18 位，末位可为 X）"
            case .checkDigit: "身份证号码校验位不正确，请核对"
            case .birthDate: "身份证号码中的出生日期不正确"
            }
        }
    }

    public static func validate(type: IdentityDocumentType, number raw: String) -> Result<IdentityDocument, Problem> {
        let number = raw.trimmingCharacters(in: .whitespaces).uppercased()
        guard !number.isEmpty else { return .failure(.empty) }
        guard number.count <= 20 else { return .failure(.tooLong) }
        switch type {
        case .residentID:
            let characters = Array(number.utf8)
            guard characters.count == 18,
                characters.prefix(17).allSatisfy({ $0 >= 48 && $0 <= 57 }),
                (characters[17] >= 48 && characters[17] <= 57) || characters[17] == UInt8(ascii: "X")
            else { return .failure(.format) }
            guard checkCharacter(of: number) == number.last else { return .failure(.checkDigit) }
            guard birthDate(ofResidentID: number) != nil else { return .failure(.birthDate) }
        case .hongKongMacauTaiwanPermit, .overseasChinesePassport, .foreignerResidencePermit:
            guard number.count >= 6, number.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                return .failure(.format)
            }
        }
        return .success(IdentityDocument(type: type, number: number))
    }

    /// ISO 7064 MOD 11-2 over the first 17 digits.
    public static func checkCharacter(of number: String) -> Character? {
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        let digits = number.prefix(17).compactMap { $0.wholeNumberValue }
        guard digits.count == 17 else { return nil }
        let sum = zip(digits, weights).reduce(0) { $0 + $1.0 * $1.1 }
        return Array("10X98765432")[sum % 11]
    }

    /// The birth date written in a resident ID (digits 7-14), if it is a real date, from 1900,
    /// not after today (in China).
    public static func birthDate(ofResidentID number: String) -> DateComponents? {
        let digits = Array(number.utf8)
        guard digits.count >= 14 else { return nil }
        var values = [0, 0, 0]
        for (index, range) in [6..<10, 10..<12, 12..<14].enumerated() {
            for byte in digits[range] {
                guard byte >= 48 && byte <= 57 else { return nil }
                values[index] = values[index] * 10 + Int(byte - 48)
            }
        }
        let (year, month, day) = (values[0], values[1], values[2])
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard year >= 1900, (1...12).contains(month), day >= 1, day <= lengths[month - 1] else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        let today = calendar.dateComponents([.year, .month, .day], from: Date())
        guard (year, month, day) <= (today.year ?? 0, today.month ?? 0, today.day ?? 0) else { return nil }
        return DateComponents(year: year, month: month, day: day)
    }

    /// The gender a resident ID encodes: odd 17th digit male, even female.
    public var residentIDGender: Gender? {
        guard type == .residentID, let digit = Array(number)[16].wholeNumberValue else { return nil }
        return digit % 2 == 1 ? .male : .female
    }

    /// What may be shown where the full number must not: the first 6 and last 4 characters.
    public var masked: String { PersonalDataMask.mask(number) }
}

public enum Gender: String, Codable, Sendable {
    case male, female
}

/// Masks personal data for display and for any log that must refer to it.
public enum PersonalDataMask {
    /// `430102********1234`: first 6 and last 4 kept. Short values keep less.
    public static func mask(_ value: String) -> String {
        let characters = Array(value)
        guard characters.count > 10 else {
            guard characters.count > 2 else { return String(repeating: "*", count: characters.count) }
            return String(characters.prefix(1)) + String(repeating: "*", count: characters.count - 2) + String(characters.suffix(1))
        }
        return String(characters.prefix(6)) + String(repeating: "*", count: characters.count - 10) + String(characters.suffix(4))
    }

    /// A mobile number as `138****5678`.
    public static func maskPhone(_ phone: String) -> String {
        let characters = Array(phone)
        guard characters.count == 11 else { return mask(phone) }
        return String(characters.prefix(3)) + "****" + String(characters.suffix(4))
    }
}
