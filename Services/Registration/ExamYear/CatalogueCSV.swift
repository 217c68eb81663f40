import Foundation
import ServiceRuntime
import SwiftCSV

/// The enrolment catalogue as the province's CSV file:
/// `institution_code,institution_name,major_code,major_name,level,subject_category,major_category,study_forms,duration,medical`
/// with `level` one of the `StudyLevel` codes, `study_forms` separated by `|`, `medical` true/false.
/// Every row is checked; one bad row refuses the file, with every problem listed by line.
enum CatalogueCSV {
    static let columns = [
        "institution_code", "institution_name", "major_code", "major_name", "level", "subject_category", "major_category",
        "study_forms", "duration", "medical",
    ]

    static func parse(_ text: String) throws(Refusal) -> [CatalogueEntry] {
        let csv: CSV<Named>
        do {
            csv = try CSV<Named>(string: text, delimiter: .comma, loadColumns: false)
        } catch {
            throw .invalid([FieldError(field: "line 1", code: "csv.unreadable", message: "无法读取 CSV 文件")])
        }
        let missing = columns.filter { !csv.header.contains($0) }
        guard missing.isEmpty else {
            throw .invalid([FieldError(field: "line 1", code: "csv.columns", message: "缺少列：\(missing.joined(separator: ", "))")])
        }
        var entries: [CatalogueEntry] = []
        var problems: [FieldError] = []
        var seen = Set<String>()
        for (index, row) in csv.rows.enumerated() {
            let line = "line \(index + 2)"
            func value(_ column: String) -> String { (row[column] ?? "").trimmingCharacters(in: .whitespaces) }
            func problem(_ column: String, _ code: String, _ message: String) {
                problems.append(FieldError(field: "\(line).\(column)", code: code, message: message))
            }
            for column in ["institution_code", "major_code"] where value(column).range(of: "^[0-9A-Za-z]{1,10}$", options: .regularExpression) == nil {
                problem(column, "catalogue.code", "代码应为 1-10 位字母或数字")
            }
            for column in ["institution_name", "major_name", "subject_category", "major_category", "duration"] where value(column).isEmpty || value(column).count > 60 {
                problem(column, "catalogue.text", "必须填写，且不超过 60 字")
            }
            let level = StudyLevel(rawValue: value("level"))
            if level == nil { problem("level", "catalogue.level", "层次应为 \(StudyLevel.allCases.map(\.rawValue).joined(separator: "、"))") }
            let formNames = value("study_forms").split(separator: "|").map { String($0) }
            let forms = formNames.compactMap(StudyForm.init(rawValue:))
            if forms.isEmpty || forms.count != formNames.count { problem("study_forms", "catalogue.study_forms", "学习形式应为 part_time、correspondence、full_time，用 | 分隔") }
            let medical: Bool? = switch value("medical").lowercased() {
            case "true", "1", "是": true
            case "false", "0", "否", "": false
            default: nil
            }
            if medical == nil { problem("medical", "catalogue.medical", "医卫类应为 true 或 false") }
            let key = "\(value("institution_code"))/\(value("major_code"))/\(value("level"))"
            if !seen.insert(key).inserted { problem("major_code", "catalogue.duplicate", "同一学校、专业、层次重复") }
            if let level, let medical, !forms.isEmpty {
                entries.append(
                    CatalogueEntry(
                        institutionCode: value("institution_code"), institutionName: value("institution_name"), majorCode: value("major_code"),
                        majorName: value("major_name"), level: level, subjectCategory: value("subject_category"),
                        majorCategory: value("major_category"), studyForms: forms, duration: value("duration"), medical: medical))
            }
        }
        if csv.rows.isEmpty { problems.append(FieldError(field: "line 2", code: "csv.empty", message: "文件没有数据行")) }
        guard problems.isEmpty else { throw .invalid(Array(problems.prefix(500))) }
        return entries
    }
}
