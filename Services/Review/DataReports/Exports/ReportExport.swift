import Access
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime

/// A report's data as files: XLSX and CSV for people, and for the data the province accepted
/// also DBF (dBase III, GBK) for the local offices' desktop tools and the national data package.
/// Field names follow the national convention where one exists (SPEC §9); the README's
/// "Exports" table lists every field with its width and codes. The candidates are the report's
/// snapshot; their data is read as it stands (after acceptance it cannot change until the level
/// above reopens the report).
struct ReportExport: Sendable {
    let postgres: PostgresClient
    let cipher: PersonalDataCipher
    let logger: Logger

    /// One candidate's row, opened; `unreadable`: the sealed fields that could not be opened
    /// (left empty, and listed by the export's problems, never a failed export).
    struct Row: Sendable {
        let candidateID: Int64
        let values: [String]
        var unreadable: [String] = []
    }

    static let fields: [DBFFile.Field] = [
        .init(name: "KSH", type: "C", length: 14), .init(name: "XM", type: "C", length: 60), .init(name: "XBDM", type: "C", length: 1),
        .init(name: "CSRQ", type: "C", length: 8), .init(name: "ZJLX", type: "C", length: 1), .init(name: "ZJHM", type: "C", length: 20),
        .init(name: "MZDM", type: "C", length: 2), .init(name: "ZZMMDM", type: "C", length: 2), .init(name: "BKCC", type: "C", length: 1),
        .init(name: "KLDM", type: "C", length: 20), .init(name: "YXDM", type: "C", length: 10), .init(name: "ZYDM", type: "C", length: 10),
        .init(name: "BMDDM", type: "C", length: 32), .init(name: "XQDM", type: "C", length: 6), .init(name: "TZF", type: "N", length: 3),
        .init(name: "MSBZ", type: "C", length: 1),
    ]

    /// The columns of the CSV and XLSX files: the DBF field name and what it is.
    static let columns = [
        "KSH 考生号", "XM 姓名", "XBDM 性别", "CSRQ 出生日期", "ZJLX 证件类型", "ZJHM 证件号码", "MZDM 民族", "ZZMMDM 政治面貌", "BKCC 报考层次", "KLDM 科类",
        "YXDM 报考学校", "ZYDM 报考专业", "BMDDM 报名确认点", "XQDM 县市区", "TZF 特征分", "MSBZ 免试入学",
    ]

    static let levelCodes = ["high_school_to_bachelor": "1", "high_school_to_associate": "2", "associate_to_bachelor": "3"]
    static let documentCodes = ["resident_id": "1", "hmt_permit": "2", "overseas_chinese_passport": "3", "foreigner_residence_permit": "4"]

    /// The rows of the candidates of `reports`' snapshots, by candidate number.
    func rows(of reports: [Int64]) async throws -> [Row] {
        var rows: [Row] = []
        for try await row in try await postgres.query(
            """
            SELECT c.id, coalesce(k.candidate_number, ''), c.name, c.document_type, c.document_number_sealed, c.personal_data_key_id,
                   r.basic_sealed, r.personal_data_key_id, coalesce(r.choices -> 0 ->> 'level', ''), coalesce(r.choices -> 0 ->> 'subjectCategory', ''),
                   coalesce(r.choices -> 0 ->> 'institutionCode', ''), coalesce(r.choices -> 0 ->> 'majorCode', ''),
                   coalesce(r.confirmation_point_id, ''), c.organisation_node_id, coalesce(b.points, 0), c.status = 'exempt'
            FROM (SELECT DISTINCT candidate_id FROM data_report_candidate WHERE report_id = ANY(\(reports))) s
            JOIN candidate_account c ON c.id = s.candidate_id
            JOIN registration r ON r.candidate_id = c.id
            LEFT JOIN candidate_confirmation k ON k.candidate_id = c.id
            LEFT JOIN counted_bonus b ON b.candidate_id = c.id AND b.year = r.year
            ORDER BY k.candidate_number, c.id
            """, logger: logger
        ).decode((Int64, String, String, String, ByteBuffer, String, ByteBuffer?, String?, String, String, String, String, String, String, Int, Bool).self) {
            var unreadable: [String] = []
            let document = (try? cipher.open(.init(keyID: row.5, bytes: Array(buffer: row.4)), column: SealedColumn.candidateDocument)) ?? ""
            if document.isEmpty { unreadable.append("ZJHM") }
            var basic: [String: Any] = [:]
            if let sealed = row.6, let keyID = row.7 {
                if let text = try? cipher.open(.init(keyID: keyID, bytes: Array(buffer: sealed)), column: SealedColumn.registrationBasic) {
                    basic = (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
                } else {
                    unreadable += ["XBDM", "CSRQ", "MZDM", "ZZMMDM"]
                }
            }
            let gender = switch basic["gender"] as? String {
            case "male": "1"
            case "female": "2"
            default: ""
            }
            let birth = (basic["birthDate"] as? String ?? "").replacingOccurrences(of: "-", with: "")
            rows.append(
                Row(
                    candidateID: row.0,
                    values: [
                        row.1, row.2, gender, birth, Self.documentCodes[row.3] ?? "", document, basic["ethnicGroup"] as? String ?? "",
                        basic["politicalStatus"] as? String ?? "", Self.levelCodes[row.8] ?? "", row.9, row.10, row.11, row.12, row.13, String(row.14),
                        row.15 ? "1" : "0",
                    ], unreadable: unreadable))
        }
        return rows
    }

    func table(_ rows: [Row]) -> TableDownload {
        TableDownload(columns: Self.columns, rows: rows.map(\.values))
    }

    /// What an export could not carry as it is: a character GBK cannot encode, written as `??`
    /// (`gbk_replaced`, with the characters), or a sealed field that could not be opened, left
    /// empty (`unreadable`: the data needs operations' attention).
    struct Problem: Codable, Sendable, Equatable {
        let candidateID: Int64
        let candidateNumber: String
        let field: String
        let kind: String
        let characters: String?
    }

    func dbf(_ rows: [Row]) -> (file: [UInt8], problems: [Problem]) {
        var file = DBFFile(fields: Self.fields)
        var problems: [Problem] = []
        let gbk = GBKEncoder()
        for row in rows {
            problems += row.unreadable.map { Problem(candidateID: row.candidateID, candidateNumber: row.values[0], field: $0, kind: "unreadable", characters: nil) }
            var values: [[UInt8]] = []
            for (field, value) in zip(Self.fields, row.values) {
                let (bytes, replaced) = gbk.encode(value)
                if !replaced.isEmpty {
                    problems.append(
                        Problem(candidateID: row.candidateID, candidateNumber: row.values[0], field: field.name, kind: "gbk_replaced", characters: String(replaced)))
                }
                values.append(bytes)
            }
            file.append(values)
        }
        return (file.bytes(), problems)
    }
}
