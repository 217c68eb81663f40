import Foundation
import Logging
import PostgresNIO

/// When and how much the current exam year lets candidates pay (the province's exam-year
/// document, owned by Registration). The one payment-deadline rule: orders are made, and unpaid
/// candidates stay valid, strictly before `deadline`; from then on neither, and the reviews that
/// follow payment (exemption) may begin.
public struct PaymentWindow: Sendable, Equatable {
    public let year: Int
    public let feeFen: Int
    public let deadline: Date

    public func isOpen(at now: Date) -> Bool { now < deadline }

    /// The current exam year's window; nil before any year is loaded.
    public static func current(postgres: PostgresClient, logger: Logger) async throws -> PaymentWindow? {
        try await postgres.query(
            """
            SELECT year, COALESCE((document->>'feeFen')::int, 0), (document->'calendar'->>'paymentDeadline')::timestamptz
            FROM exam_year WHERE current
            """, logger: logger
        ).decode((Int, Int, Date).self).first { _ in true }.map { PaymentWindow(year: $0, feeFen: $1, deadline: $2) }
    }
}
