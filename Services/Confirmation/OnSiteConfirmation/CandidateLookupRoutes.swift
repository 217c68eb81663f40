import Access
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import ServiceRuntime

/// The operator's first step at the desk: `POST /staff/candidate-lookups` with the ID document
/// read from the card (in the body, never in a URL) finds a candidate of this point and shows
/// what they submitted, whether the photo is taken, and their id for the next steps. Audited.
struct CandidateLookupRoutes: Sendable {
    let access: AccessControl
    let desk: OperatorDesk
    let postgres: PostgresClient
    let cipher: PersonalDataCipher
    let logger: Logger

    func add(to routes: ServiceRoutes) {
        routes.staff.post("staff/candidate-lookups", use: lookUp)
    }

    struct Lookup: Decodable {
        let documentType: IdentityDocumentType?
        let documentNumber: String
    }

    struct Found: Encodable, Sendable {
        let candidateID: Int64
        let name: String
        let documentNumberMasked: String
        let status: String
        let photoTaken: Bool
        let candidateNumber: String?
        /// The submitted form (basic information opened, choices, point), as the candidate sent it.
        let form: [String: JSONValue]
    }

    /// Any JSON value, to pass the submitted form through as it is.
    enum JSONValue: Encodable, Sendable {
        case text(String), number(Double), flag(Bool), list([JSONValue]), object([String: JSONValue]), null

        init(_ any: Any) {
            switch any {
            case let text as String: self = .text(text)
            case let flag as Bool: self = .flag(flag)
            case let number as NSNumber: self = .number(number.doubleValue)
            case let list as [Any]: self = .list(list.map(JSONValue.init))
            case let object as [String: Any]: self = .object(object.mapValues(JSONValue.init))
            default: self = .null
            }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .text(let text): try container.encode(text)
            case .number(let number): try container.encode(number)
            case .flag(let flag): try container.encode(flag)
            case .list(let list): try container.encode(list)
            case .object(let object): try container.encode(object)
            case .null: try container.encodeNil()
            }
        }
    }

    @Sendable func lookUp(_ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<Found> {
        let member = try await desk.operatorOnDuty(request, context, action: "candidate.lookup", target: .init(kind: "candidate", id: "-"))
        let input = try await JSONInput.decode(Lookup.self, from: request)
        let document: IdentityDocument
        switch IdentityDocument.validate(type: input.documentType ?? .residentID, number: input.documentNumber) {
        case .success(let valid): document = valid
        case .failure(let problem): throw APIError.invalid(field: "documentNumber", code: problem.code, message: problem.message)
        }
        let lookup = ByteBuffer(bytes: cipher.documentLookup(document))
        guard let row = try await postgres.query(
            """
            SELECT a.id, a.name, a.document_number_masked, a.status, f.candidate_id IS NOT NULL, k.candidate_number,
                   coalesce(r.confirmation_point_id, ''), r.basic_sealed, r.personal_data_key_id, coalesce(r.choices, '[]')::text
            FROM candidate_account a LEFT JOIN registration r ON r.candidate_id = a.id
            LEFT JOIN candidate_photo f ON f.candidate_id = a.id LEFT JOIN candidate_confirmation k ON k.candidate_id = a.id
            WHERE a.document_number_lookup = \(lookup)
            """, logger: logger
        ).decode((Int64, String, String, String, Bool, String?, String, ByteBuffer?, String?, String).self).first(where: { _ in true }) else {
            throw APIError(.notFound, code: "candidate.not_found", message: "没有找到该证件号码的考生")
        }
        guard row.6 == member.nodeID else {
            try await access.audit.record(.staff(member), action: "candidate.lookup", target: .candidate(row.0), outcome: .denied, request: request)
            throw APIError(.forbidden, code: "candidate.other_point", message: "该考生未选择本确认点")
        }
        var form: [String: JSONValue] = ["confirmationPointID": .text(row.6)]
        if let sealed = row.7, let key = row.8,
            let text = try? cipher.open(.init(keyID: key, bytes: Array(buffer: sealed)), column: SealedColumn.registrationBasic),
            let basic = try? JSONSerialization.jsonObject(with: Data(text.utf8))
        {
            form["basic"] = JSONValue(basic)
        }
        form["choices"] = JSONValue((try? JSONSerialization.jsonObject(with: Data(row.9.utf8))) ?? [])
        try await access.audit.record(.staff(member), action: "candidate.lookup", target: .candidate(row.0), request: request)
        return JSONOutput(
            Found(candidateID: row.0, name: row.1, documentNumberMasked: row.2, status: row.3, photoTaken: row.4, candidateNumber: row.5, form: form))
    }
}
