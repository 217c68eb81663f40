import Access
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import ServiceRuntime

/// The province downloads an institution's registration records (`GET /staff/registration-records/{institution}`):
/// one PDF, a page per admitted candidate, audited.
struct RegistrationRecordRoutes: Sendable {
    let access: AccessControl
    let postgres: PostgresClient
    let logger: Logger
    let maker: RegistrationRecordMaker
    let files: DocumentFiles

    func add(to routes: ServiceRoutes) {
        routes.staff.get("staff/registration-records/{institution}", use: download)
    }

    @Sendable func download(_ request: Request, _ context: ExamRequestContext) async throws -> Response {
        let member = try context.staff
        let institution = context.parameters.get("institution") ?? ""
        try await access.staff.requireProvince(member, action: "registration_record.download", target: .init(kind: "institution", id: String(institution.prefix(10))), request: request)
        guard (1...10).contains(institution.count), institution.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw APIError.invalid(field: "institution", code: "institution.format", message: "院校代码应为 1-10 位字母或数字")
        }
        guard let year = try await postgres.query("SELECT year FROM exam_year WHERE current", logger: logger).decode(Int.self).first(where: { _ in true }) else {
            throw APIError(.conflict, code: "exam_year.missing", message: "尚未设置当前考试年度")
        }
        let made = try await postgres.withTransaction(logger: logger) { connection in
            try await maker.make(year: year, institution: institution, on: connection, logger: logger)
        }
        guard case .file(let file) = made else {
            throw APIError(.conflict, code: "registration_record.none", message: "该院校本年度没有录取考生")
        }
        let bytes = try files.read(file)
        try await access.audit.record(.staff(member), action: "registration_record.download", target: .init(kind: "institution", id: institution), request: request)
        return StoredFileResponse.pdf(bytes, filename: "registration-records-\(year)-\(institution).pdf")
    }
}
