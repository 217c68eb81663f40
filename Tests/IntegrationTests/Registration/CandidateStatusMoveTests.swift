import Foundation
import PostgresNIO
import Testing

/// The candidate's legal moves are the database's rule too: a hand-written UPDATE that skips or
/// reverses a step fails, whoever sends it; the legal path goes through.
@Suite struct CandidateStatusMoveTests {
    static func move(_ candidateID: Int64, to status: String, _ fixture: AccessFixture) async throws {
        try await fixture.postgres.query("UPDATE candidate_account SET status = \(status) WHERE id = \(candidateID)", logger: TestStack.logger)
    }

    static func refused(_ candidateID: Int64, to status: String, _ fixture: AccessFixture) async {
        let error = await #expect(throws: PSQLError.self, "-> \(status)") { try await move(candidateID, to: status, fixture) }
        #expect(error?.serverInfo?[.sqlState] == "23514", "check_violation")
        #expect(error?.serverInfo?[.message]?.contains("illegal candidate status move") == true)
    }

    @Test func anIllegalMoveFailsAtTheDatabase() async throws {
        try await AccessFixture.with { fixture in
            let (candidate, _) = try await fixture.signedInCandidate(county: "430102")
            await Self.refused(candidate.id, to: "confirmed", fixture)
            await Self.refused(candidate.id, to: "paid", fixture)
            for status in ["submitted", "confirmed"] { try await Self.move(candidate.id, to: status, fixture) }
            await Self.refused(candidate.id, to: "registered", fixture)
            await Self.refused(candidate.id, to: "submitted", fixture)
            try await Self.move(candidate.id, to: "paid", fixture)
            await Self.refused(candidate.id, to: "submitted", fixture)
            await Self.refused(candidate.id, to: "confirmed", fixture)
            await Self.refused(candidate.id, to: "invalid", fixture)
            try await Self.move(candidate.id, to: "paid", fixture)  // no move at all
            try await Self.move(candidate.id, to: "exempt", fixture)
            let status = try await fixture.postgres.query("SELECT status FROM candidate_account WHERE id = \(candidate.id)", logger: TestStack.logger)
                .decode(String.self).first { _ in true }
            #expect(status == "exempt")
            // The services' role cannot widen the rule.
            let widen = await #expect(throws: PSQLError.self) {
                try await fixture.postgres.query("INSERT INTO candidate_status_move VALUES ('paid', 'submitted')", logger: TestStack.logger)
            }
            #expect(widen?.serverInfo?[.sqlState] == "42501")
        }
    }
}
