import Foundation
import Hummingbird
import Logging
import PostgresNIO
import ServiceRuntime

/// The review a county's proposal of a place goes through (seed 四.1 for confirmation points, 四.9
/// for exam sites): the county proposes, its city passes it on or returns it, the province
/// approves or returns it. Only approved places are used. One workflow for every kind of place:
/// its stages, who takes each step, the state change with its audit row, and the routes.
public enum ProposalStage: String, Codable, Sendable {
    case proposed
    case cityReviewed = "city_reviewed"
    case approved
    case returned
}

/// A step of the review.
public enum ProposalStep: String, Sendable {
    case cityPasses, cityReturns, provinceApproves, provinceReturns

    var from: [ProposalStage] {
        switch self {
        case .cityPasses, .cityReturns: [.proposed]
        case .provinceApproves: [.cityReviewed]
        case .provinceReturns: [.proposed, .cityReviewed]
        }
    }

    var to: ProposalStage {
        switch self {
        case .cityPasses: .cityReviewed
        case .provinceApproves: .approved
        case .cityReturns, .provinceReturns: .returned
        }
    }

    func isAllowed(for member: StaffMember) -> Bool {
        switch self {
        case .cityPasses, .cityReturns: member.roles.contains(.cityOfficer)
        case .provinceApproves, .provinceReturns: member.isProvinceAdministrator
        }
    }

    var needsReason: Bool { to == .returned }

    /// The audit action's last part: `point.city_reviewed`, `exam_site.approved`, ...
    var auditAction: String { to.rawValue }
}

/// A kind of place that goes through the review: its table (with `status`, `status_reason` and
/// `updated_at`), its key, the column naming the organisation node whose subtree holds it, and
/// its name for people and the audit log.
public struct ProposalKind: Sendable {
    let table: String
    let key: String
    let node: String
    /// The audit target kind and the prefix of its actions (`point`, `exam_site`).
    let auditKind: String
    let auditPrefix: String
    /// Its Chinese name in messages: 确认点, 考点.
    let noun: String

    public init(table: String, key: String, node: String, auditKind: String, auditPrefix: String, noun: String) {
        self.table = table
        self.key = key
        self.node = node
        self.auditKind = auditKind
        self.auditPrefix = auditPrefix
        self.noun = noun
    }

    public static let confirmationPoint = ProposalKind(
        table: "confirmation_point", key: "node_id", node: "node_id", auditKind: "confirmation_point", auditPrefix: "point", noun: "确认点")
    public static let examSite = ProposalKind(table: "exam_site", key: "id", node: "county_id", auditKind: "exam_site", auditPrefix: "exam_site", noun: "考点")
}

/// The review's routes for one kind of place, under `base` (`staff/points`):
/// `POST base/{id}/review` (the city: `{"approve": true}` or `{"approve": false, "reason": ...}`),
/// `POST base/{id}/approve` and `POST base/{id}/return` (the province; a return needs a reason).
/// Each answers the place as its service shows it.
public struct ProposalReviewRoutes<Record: Encodable & Sendable>: Sendable {
    let access: AccessControl
    let kind: ProposalKind
    let postgres: PostgresClient
    let logger: Logger
    /// The place as its service shows it, nil when there is none.
    let record: @Sendable (String) async throws -> Record?

    public init(
        access: AccessControl, kind: ProposalKind, postgres: PostgresClient, logger: Logger, record: @escaping @Sendable (String) async throws -> Record?
    ) {
        self.access = access
        self.kind = kind
        self.postgres = postgres
        self.logger = logger
        self.record = record
    }

    public func add(to routes: ServiceRoutes, at base: String) {
        routes.staff.post("\(base)/{id}/review") { request, context in
            let input = try await JSONInput.decode(CityReview.self, from: request)
            return try await take(input.approve ? .cityPasses : .cityReturns, reason: input.reason, request, context)
        }
        routes.staff.post("\(base)/{id}/approve") { request, context in
            try await take(.provinceApproves, reason: try await JSONInput.decode(Decision.self, from: request).reason, request, context)
        }
        routes.staff.post("\(base)/{id}/return") { request, context in
            try await take(.provinceReturns, reason: try await JSONInput.decode(Decision.self, from: request).reason, request, context)
        }
    }

    struct CityReview: Decodable {
        let approve: Bool
        let reason: String?
    }

    struct Decision: Decodable {
        let reason: String?
    }

    func take(_ step: ProposalStep, reason: String?, _ request: Request, _ context: ExamRequestContext) async throws -> JSONOutput<Record> {
        let member = try context.staff
        let action = "\(kind.auditPrefix).\(step.auditAction)"
        guard let id = context.parameters.get("id"), id.count <= 32 else { throw APIError.notFound }
        let path = try await postgres.query(
            "SELECT n.path::text FROM \(unescaped: kind.table) p JOIN organisation_node n ON n.id = p.\(unescaped: kind.node) WHERE p.\(unescaped: kind.key) = \(id)",
            logger: logger
        ).decode(String.self).first { _ in true }
        guard step.isAllowed(for: member), let path, member.covers(path: path) else {
            try await access.audit.record(.staff(member), action: action, target: .init(kind: kind.auditKind, id: id), outcome: .denied, request: request)
            throw APIError.forbidden
        }
        let reason = try ReviewReason.checked(reason, required: step.needsReason)
        let changed = try await postgres.withTransaction(logger: logger) { connection in
            let rows = try await connection.query(
                """
                UPDATE \(unescaped: kind.table) SET status = \(step.to.rawValue), status_reason = \(reason), updated_at = now()
                WHERE \(unescaped: kind.key) = \(id) AND status = ANY(\(step.from.map(\.rawValue))) RETURNING 1
                """, logger: logger)
            var changed = false
            for try await _ in rows { changed = true }
            if changed {
                try await AuditLog.record(
                    .staff(member), action: action, target: .init(kind: kind.auditKind, id: id), clientAddress: request.clientAddress, on: connection, logger: logger)
            }
            return changed
        }
        guard changed else {
            let message: String
            switch step {
            case .cityPasses, .cityReturns: message = "该\(kind.noun)不在待市级审核状态"
            case .provinceApproves: message = "该\(kind.noun)尚未通过市级审核"
            case .provinceReturns: message = "该\(kind.noun)不在审核中"
            }
            throw APIError(.conflict, code: "\(kind.auditPrefix).state", message: message)
        }
        guard let record = try await record(id) else { throw APIError.notFound }
        return JSONOutput(record)
    }
}

extension ProposalKind {
    /// The county officer proposing a place of this kind (others are refused and audited).
    public func proposer(_ context: ExamRequestContext, access: AccessControl, request: Request) async throws -> StaffMember {
        let member = try context.staff
        guard member.roles.contains(.countyOfficer), member.nodeKind == .county else {
            try await access.audit.record(.staff(member), action: "\(auditPrefix).propose", target: .init(kind: auditKind, id: "-"), outcome: .denied, request: request)
            throw APIError.forbidden
        }
        return member
    }
}

/// What a county gives for every place it proposes, checked the same way for each kind.
public struct PlaceContact: Sendable {
    public let name: String
    public let address: String
    public let contact: String
    public let phone: String

    /// Each field's problem goes into `validation`; nil when any field is missing or wrong.
    public static func check(name: String, address: String, contact: String, phone: String, into validation: inout Validation) -> PlaceContact? {
        let name = validation.text(name, field: "name", length: 2...60)
        let address = validation.text(address, field: "address", length: 5...100)
        let contact = validation.text(contact, field: "contact", length: 2...30)
        let phone = validation.text(phone, field: "phone", length: 7...20)
        if let phone, !phone.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-") }) {
            validation.add("phone", "phone.format", "联系电话只能包含数字和 -")
            return nil
        }
        guard let name, let address, let contact, let phone else { return nil }
        return PlaceContact(name: name, address: address, contact: contact, phone: phone)
    }
}

/// The reason given with a review's decision: required for a return, an optional remark for a
/// pass; at most 200 characters.
public enum ReviewReason {
    public static func checked(_ reason: String?, required: Bool) throws -> String? {
        let text = reason?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if text.count > 200 { throw APIError.invalid(field: "reason", code: "too_long", message: "最多 200 字") }
        if required && text.isEmpty { throw APIError.invalid(field: "reason", code: "required", message: "请填写退回原因") }
        return text.isEmpty ? nil : text
    }
}
