import Access
import Testing

@Suite struct IdentityDocumentTests {
    /// GB 11643's own example. Test arguments are printed in the test log, which must hold no
    /// valid ID number, so the numbers are made inside the tests.
    static let example = "110105" + "19491231" + "002X"

    @Test(arguments: ["plain", "lower-case x", "spaces around"])
    func aValidResidentIDIsAcceptedAndNormalised(form: String) throws {
        let number = switch form {
        case "plain": Self.example
        case "lower-case x": Self.example.lowercased()
        default: " \(Self.example) "
        }
        guard case .success(let document) = IdentityDocument.validate(type: .residentID, number: number) else {
            Issue.record("refused \(number)")
            return
        }
        #expect(document.number == Self.example)
        #expect(document.residentIDGender == .female)
        #expect(document.masked == "110105********002X")
    }

    @Test(arguments: [
        ("1101051949123100" + "21", IdentityDocument.Problem.checkDigit),
        ("11010519491231002", .format),
        ("1101051949123100211", .format),
        ("11010519491331002X", .checkDigit),
        ("1101051949123100A1", .format),
        ("", .empty),
        (String(repeating: "1", count: 40), .tooLong),
    ])
    func anInvalidResidentIDNamesItsProblem(number: String, problem: IdentityDocument.Problem) {
        guard case .failure(let found) = IdentityDocument.validate(type: .residentID, number: number) else {
            Issue.record("accepted \(number)")
            return
        }
        #expect(found == problem)
    }

    @Test func aBirthDateThatDoesNotExistIsRefusedEvenWithARightCheckCharacter() {
        let body = "11010519490230002"  // 30 February
        let number = body + String(IdentityDocument.checkCharacter(of: body)!)
        guard case .failure(let problem) = IdentityDocument.validate(type: .residentID, number: number) else {
            Issue.record("accepted 30 February")
            return
        }
        #expect(problem == .birthDate)
        let future = "110105209901010001"
        let futureNumber = String(future.prefix(17)) + String(IdentityDocument.checkCharacter(of: future)!)
        #expect(IdentityDocument.birthDate(ofResidentID: futureNumber) == nil)
    }

    @Test func permitNumbersAreLettersAndDigits() {
        #expect((try? IdentityDocument.validate(type: .hongKongMacauTaiwanPermit, number: "H1234567").get()) != nil)
        #expect((try? IdentityDocument.validate(type: .hongKongMacauTaiwanPermit, number: "H12-34567").get()) == nil)
        #expect((try? IdentityDocument.validate(type: .foreignerResidencePermit, number: "12").get()) == nil)
    }

    @Test func masksKeepOnlyTheEnds() {
        #expect(PersonalDataMask.maskPhone("13812345678") == "138****5678")
        #expect(PersonalDataMask.mask("H1234567") == "H******7")
        #expect(PersonalDataMask.mask("ab") == "**")
    }
}

@Suite struct PasswordAndContactRulesTests {
    @Test(arguments: [
        ("short1", PasswordProblem.tooShort), ("12345678", .tooCommon), ("Password1", .tooCommon), ("aaaaaaaaaaaa", .tooCommon),
        (String(repeating: "x", count: 65), .tooLong), ("myname_9999", .containsLogin),
    ])
    func weakPasswordsAreRefused(password: String, problem: PasswordProblem) {
        #expect(PasswordPolicy.problem(with: password, login: "myname_9999") == problem)
    }

    @Test func aSoundPasswordPasses() {
        #expect(PasswordPolicy.problem(with: "Zk8#mq2Lw", login: "someone") == nil)
        #expect(PasswordProblem.tooCommon.code == "password.too_common")
    }

    @Test func passwordsMayNotContainTheIDNumber() {
        #expect(PasswordPolicy.problem(with: "x91231002X", login: IdentityDocumentTests.example) == .containsLogin)
    }

    @Test(arguments: ["张三", "欧阳娜娜", "阿依古丽·买买提", "John Smith", "𠀋明"])
    func namesPeopleHaveAreAccepted(name: String) {
        #expect(ContactRules.nameProblem(name) == nil)
    }

    @Test(arguments: ["张", "Robert'); DROP TABLE", "张三3", String(repeating: "张", count: 31), "<b>张</b>"])
    func otherNamesAreRefused(name: String) {
        #expect(ContactRules.nameProblem(name) != nil)
    }

    @Test(arguments: [("13812345678", true), ("23812345678", false), ("1381234567", false), ("138123456789", false), ("1381234567a", false), ("１３８１２３４５６７８", false)])
    func mobileNumbers(phone: String, valid: Bool) {
        #expect((ContactRules.mobileProblem(phone) == nil) == valid)
    }
}
