import Access
import Contracts
import Foundation

/// Gathers what `RegistrationRules` checks a submission against. The web form and the paper
/// forms' import both go through here, so a form is judged the same way whichever way it came.
struct SubmissionCheck: Sendable {
    let store: RegistrationStore
    let years: ExamYearStore

    func context(
        document: IdentityDocument, registeringCity: String, pledgeVersion: String?, form: RegistrationForm, year: ExamYearDocument,
        now: Date = Date()
    ) async throws -> RuleContext {
        let codes = try await store.referenceCodes()
        var catalogue: [CatalogueEntry?] = []
        for choice in form.choices.prefix(2) {
            if let level = choice.level, let institution = choice.institutionCode, let major = choice.majorCode, institution.count <= 20, major.count <= 20 {
                catalogue.append(try await years.catalogueEntry(year: year.year, institution: institution, major: major, level: level))
            } else {
                catalogue.append(nil)
            }
        }
        var point: ConfirmationPointOption?
        if let id = form.confirmationPointID, id.count <= 32 { point = try await store.points(id: id).first }
        return RuleContext(
            year: year, document: document, registeringCity: registeringCity, ethnicGroups: codes.ethnicGroups,
            politicalStatuses: codes.politicalStatuses, cities: codes.cities, catalogue: catalogue, point: point, pledgeVersion: pledgeVersion,
            now: now)
    }

    /// The choices as `CandidateSubmitted` carries them (from the catalogue entries they matched).
    static func eventChoices(_ context: RuleContext) -> [CandidateSubmitted.Choice] {
        context.catalogue.compactMap { entry in
            entry.map {
                CandidateSubmitted.Choice(level: $0.level.rawValue, subjectCategory: $0.subjectCategory, institutionCode: $0.institutionCode, majorCode: $0.majorCode)
            }
        }
    }
}
