/// The sealed columns that more than one service opens (a column's name is part of what its
/// values are sealed with, so readers must name it exactly as the writer did).
public enum SealedColumn {
    /// The registration form's basic information (Registration writes; Review reads for the
    /// automatic bonus rules and the data exports).
    public static let registrationBasic = "registration.basic"
    /// The candidate's ID document number (Registration writes; Review reads for the exports).
    public static let candidateDocument = "candidate_account.document_number"
}
