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
