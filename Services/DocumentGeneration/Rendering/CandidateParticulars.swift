import Access
import Foundation
import Logging
import PostgresNIO

/// What the candidate documents print of a candidate (the flow form, the registration record):
/// their account, the submitted form opened, the choices with the catalogue's names, the point,
/// and the photo, read in one place from Registration's and Confirmation's tables.
struct CandidateParticulars: Sendable {
    let year: Int
    let status: String
    /// name, gender, birthDate, ethnicGroup, politicalStatus, documentType, documentNumber (masked),
    /// candidateNumber, educationLevel, graduatedFrom, graduationDate, occupation, workStartDate,
    /// phone (masked), postalAddress, postcode, point, pointAddress.
    let values: [String: String]
    /// order, level, category, form, institution, major.
    let choices: [[String: String]]
    let photo: DocumentContent.Photo?
    /// The whole ID number, for the registration record only (it goes into the student's file).
    let fullDocumentNumber: String

    static let levels = ["high_school_to_bachelor": "高中起点升本科", "high_school_to_associate": "高中起点升专科", "associate_to_bachelor": "专科起点升本科"]
    static let studyForms = ["part_time": "业余", "correspondence": "函授", "full_time": "脱产"]
    static let documentTypes = [
        "resident_id": "居民身份证", "hmt_permit": "港澳台居民居住证", "overseas_chinese_passport": "华侨护照", "foreigner_residence_permit": "外国人永久居留身份证",
    ]

    static func read(_ candidateID: Int64, cipher: PersonalDataCipher, on connection: PostgresConnection, logger: Logger) async throws -> CandidateParticulars? {
        guard let row = try await connection.query(
            """
            SELECT a.name, a.document_type, a.document_number_masked, a.document_number_sealed, a.personal_data_key_id, a.phone_masked, a.status, r.year,
                   r.basic_sealed, r.personal_data_key_id, coalesce(k.candidate_number, ''), coalesce(n.name, ''), coalesce(p.address, ''),
                   f.print_jpeg_sealed, f.jpeg_sealed, f.key_id, y.document -> 'codeLists' ->> 'educationLevels', y.document -> 'codeLists' ->> 'occupationCategories'
            FROM candidate_account a JOIN registration r ON r.candidate_id = a.id JOIN exam_year y ON y.year = r.year
            LEFT JOIN candidate_confirmation k ON k.candidate_id = a.id
            LEFT JOIN organisation_node n ON n.id = r.confirmation_point_id
            LEFT JOIN confirmation_point p ON p.node_id = r.confirmation_point_id
            LEFT JOIN candidate_photo f ON f.candidate_id = a.id
            WHERE a.id = \(candidateID)
            """, logger: logger
        ).decode(
            (String, String, String, ByteBuffer, String, String, String, Int, ByteBuffer?, String?, String, String, String, ByteBuffer?, ByteBuffer?, String?, String?, String?).self
        ).first(where: { _ in true }) else { return nil }
        let (name, documentType, masked, sealedDocument, documentKey, phone, status, year, sealedBasic, basicKey, candidateNumber, point, pointAddress) =
            (row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8, row.9, row.10, row.11, row.12)
        var basic: [String: String] = [:]
        if let sealedBasic, let basicKey,
            let text = try? cipher.open(.init(keyID: basicKey, bytes: Array(buffer: sealedBasic)), column: SealedColumn.registrationBasic),
            let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        {
            basic = object.compactMapValues { $0 as? String }
        }
        func names(_ json: String?) -> [String: String] {
            ((try? JSONSerialization.jsonObject(with: Data((json ?? "[]").utf8))) as? [[String: Any]] ?? [])
                .reduce(into: [String: String]()) { $0[$1["code"] as? String ?? ""] = $1["name"] as? String }
        }
        let education = names(row.16), occupations = names(row.17)
        let ethnic = try await codeName(basic["ethnicGroup"], "SELECT name FROM ethnic_group WHERE code = \(basic["ethnicGroup"] ?? "")", on: connection, logger: logger)
        let political = try await codeName(
            basic["politicalStatus"], "SELECT name FROM political_status WHERE code = \(basic["politicalStatus"] ?? "")", on: connection, logger: logger)
        var choices: [[String: String]] = []
        for try await (order, level, category, form, institution, major) in try await connection.query(
            """
            SELECT c.n::int, coalesce(c.v ->> 'level', ''), coalesce(c.v ->> 'subjectCategory', ''), coalesce(c.v ->> 'studyForm', ''),
                   coalesce(m.institution_name, c.v ->> 'institutionCode', ''), coalesce(m.major_name, c.v ->> 'majorCode', '')
            FROM registration r CROSS JOIN LATERAL jsonb_array_elements(r.choices) WITH ORDINALITY AS c(v, n)
            LEFT JOIN catalogue_major m ON m.year = r.year AND m.institution_code = c.v ->> 'institutionCode' AND m.major_code = c.v ->> 'majorCode'
                 AND m.level = c.v ->> 'level'
            WHERE r.candidate_id = \(candidateID) ORDER BY c.n
            """, logger: logger
        ).decode((Int, String, String, String, String, String).self) {
            choices.append([
                "order": "志愿\(order)", "level": levels[level] ?? level, "category": category, "form": studyForms[form] ?? form, "institution": institution,
                "major": major,
            ])
        }
        let photo = try DocumentContent.Photo.sealed(print: row.13, original: row.14, keyID: row.15, candidateID: candidateID, cipher: cipher)
        let full = (try? cipher.open(.init(keyID: documentKey, bytes: Array(buffer: sealedDocument)), column: SealedColumn.candidateDocument)) ?? masked
        return CandidateParticulars(
            year: year, status: status,
            values: [
                "name": name, "gender": ["male": "男", "female": "女"][basic["gender"] ?? ""] ?? "", "birthDate": basic["birthDate"] ?? "", "ethnicGroup": ethnic,
                "politicalStatus": political, "documentType": documentTypes[documentType] ?? documentType, "documentNumber": masked,
                "candidateNumber": candidateNumber, "educationLevel": education[basic["educationLevel"] ?? ""] ?? (basic["educationLevel"] ?? ""),
                "graduatedFrom": basic["graduatedFrom"] ?? "", "graduationDate": basic["graduationDate"] ?? "",
                "occupation": occupations[basic["occupationCategory"] ?? ""] ?? (basic["occupationCategory"] ?? ""), "workStartDate": basic["workStartDate"] ?? "",
                "phone": phone, "postalAddress": basic["postalAddress"] ?? "", "postcode": basic["postcode"] ?? "", "point": point, "pointAddress": pointAddress,
            ], choices: choices, photo: photo, fullDocumentNumber: full)
    }

    private static func codeName(_ code: String?, _ query: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws -> String {
        guard let code, !code.isEmpty else { return "" }
        return try await connection.query(query, logger: logger).decode(String.self).first { _ in true } ?? code
    }
}
