import Access
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime

/// What on-site confirmation asks of a registration before it locks it: does the submitted form
/// still pass every rule of the moment (the catalogue, the point, the pledge, the age rules)? The
/// year's rules may have changed since the candidate submitted. The calendar is left out: it
/// says when a form may be submitted, and a candidate who submitted in time confirms later.
public struct SubmittedFormCheck: Sendable {
    let store: RegistrationStore
    let years: ExamYearStore

    public init(postgres: PostgresClient, cipher: PersonalDataCipher, logger: Logger) {
        store = RegistrationStore(postgres: postgres, cipher: cipher, logger: logger)
        years = ExamYearStore(postgres: postgres, logger: logger)
    }

    /// The submitted form's problems (nil: the candidate has no registration). Asked before the
    /// confirmation takes its lock: a form that changes in between was submitted, so it passed.
    public func problems(_ candidateID: Int64) async throws -> [FieldError]? {
        guard let saved = try await store.load(candidateID, .submitted), let year = try await years.current(),
            let (document, city, pledgeVersion) = try await store.submissionBasis(candidateID)
        else { return nil }
        let context = try await SubmissionCheck(store: store, years: years).context(
            document: document, registeringCity: city, pledgeVersion: pledgeVersion, form: saved.form, year: year)
        return RegistrationRules.check(saved.form, context).filter { $0.field != "calendar" }
    }
}

extension SubmittedFormCheck {
    static let notConfirmed = Refusal.conflict("correction.not_confirmed", "考生确认前由考生本人修改报名信息")
    static func invalidValue(_ field: String) -> APIError {
        APIError.invalid(field: "changes.\(field)", code: "correction.invalid_value", message: "字段值无效")
    }

    /// A staff correction of the submitted form's basic information: `changes` (field name to the
    /// new value, nil to clear) over the form, which must then pass the rules a point asks at
    /// confirmation. Only for confirmed candidates (before that the candidate corrects their own),
    /// and not while the candidate's reported data is locked. The corrected form.
    public func correct(_ candidateID: Int64, changes: [String: String?], by member: StaffMember, clientAddress: String) async throws -> RegistrationForm {
        guard var saved = try await store.load(candidateID, .submitted), let year = try await years.current(),
            let (document, city, pledgeVersion) = try await store.submissionBasis(candidateID)
        else { throw Self.notConfirmed }
        var object = (try JSONSerialization.jsonObject(with: try JSONEncoder().encode(saved.form.basic)) as? [String: Any]) ?? [:]
        for (field, value) in changes { object[field] = value ?? NSNull() }
        for (field, value) in changes {
            var single = [String: Any]()
            single[field] = value ?? NSNull()
            guard (try? JSONDecoder().decode(BasicInformation.self, from: JSONSerialization.data(withJSONObject: single))) != nil else {
                throw Self.invalidValue(field)
            }
        }
        saved.form.basic = try JSONDecoder().decode(BasicInformation.self, from: JSONSerialization.data(withJSONObject: object))
        let context = try await SubmissionCheck(store: store, years: years).context(
            document: document, registeringCity: city, pledgeVersion: pledgeVersion, form: saved.form, year: year)
        let problems = RegistrationRules.check(saved.form, context).filter { $0.field != "calendar" }
        guard problems.isEmpty else { throw APIError.invalid(problems) }
        try await store.correctBasic(candidateID, to: saved.form.basic, fields: changes.keys.sorted(), by: member, clientAddress: clientAddress)
        return saved.form
    }
}
