import Foundation
import Testing

@testable import ArrangementService

/// The numbering rule (issue 21's core): rooms of 30, one group each unless the year mixes
/// remainders, numbers without gaps, the same digest for the same seed, and an independent
/// recomputation in a few lines of Python that agrees exactly.
@Suite struct NumberingTests {
    /// `count` candidates of `group` in `district`, with made-up candidate numbers.
    static func roster(_ district: String, _ group: String, _ count: Int, from first: Int = 0) -> [Numbering.Candidate] {
        (0..<count).map { Numbering.Candidate(number: String(format: "26433101%06d", first + $0), district: district, group: group) }
    }

    @Test func roomsHoldThirtyOfOneGroupAndAreNumberedWithoutGaps() throws {
        let roster = Self.roster("4301", "11", 65) + Self.roster("4301", "21", 31, from: 1000) + Self.roster("4302", "11", 30, from: 2000)
        let result = try Numbering.run(roster, rules: .init(), seed: "2026-seed")
        #expect(result.seats.count == roster.count && Set(result.seats.map(\.ticket)).count == roster.count)
        let rooms4301 = result.rooms.filter { $0.district == "4301" }
        #expect(rooms4301.map(\.number) == Array(1...5), "\(rooms4301)")
        // Whole rooms first (two of 11, one of 21), then each group's remainder apart.
        #expect(rooms4301.map(\.groups) == [["11"], ["11"], ["21"], ["11"], ["21"]])
        #expect(rooms4301.map(\.seats) == [30, 30, 30, 5, 1])
        #expect(result.rooms.allSatisfy { $0.seats <= 30 && $0.groups.count == 1 })
        #expect(result.rooms.filter { $0.district == "4302" }.map(\.seats) == [30])
        for seat in result.seats {
            let ticket = seat.ticket.text
            #expect(ticket.count == 11)
            let candidate = roster.first { $0.number == seat.candidateNumber }!
            #expect(ticket.hasPrefix(candidate.district + candidate.group))
        }
    }

    @Test func theYearMayMixTheRemaindersIntoSharedRooms() throws {
        let roster = Self.roster("4301", "11", 65) + Self.roster("4301", "21", 31, from: 1000) + Self.roster("4301", "31", 12, from: 2000)
        let result = try Numbering.run(roster, rules: .init(mixRemainders: true), seed: "s")
        // 5 + 1 + 12 = 18 remainder candidates share one room, which lists its three groups.
        #expect(result.rooms.map(\.seats) == [30, 30, 30, 18])
        #expect(result.rooms.last?.groups == ["11", "21", "31"])
        #expect(result.seats.filter { $0.ticket.text.dropFirst(6).hasPrefix("004") }.map { String($0.ticket.text.dropFirst(4).prefix(2)) }
            == Array(repeating: "11", count: 5) + ["21"] + Array(repeating: "31", count: 12))
    }

    @Test func theSameSeedGivesTheSameDigestAndAnotherSeedAnother() throws {
        let roster = Self.roster("4301", "11", 100).shuffled()
        let a = try Numbering.run(roster, rules: .init(), seed: "seed-a")
        let again = try Numbering.run(roster.shuffled(), rules: .init(), seed: "seed-a")
        let b = try Numbering.run(roster, rules: .init(), seed: "seed-b")
        #expect(a.digest == again.digest && a.seats == again.seats)
        #expect(a.digest != b.digest)
    }

    @Test func badCodesAndTooManyRoomsAreRefused() {
        #expect(throws: Numbering.Problem.badCode(candidateNumber: "26433101000000")) {
            try Numbering.run(Self.roster("43A1", "11", 1), rules: .init(), seed: "s")
        }
        #expect(throws: Numbering.Problem.roomsExhausted(district: "4301")) {
            try Numbering.run(Self.roster("4301", "11", 1_000), rules: .init(seatsPerRoom: 1), seed: "s")
        }
        #expect(AdmissionTicketNumber(district: "4301", group: "11", room: 7, seat: 3)?.text == "43011100703")
        #expect(AdmissionTicketNumber(district: "4301", group: "11", room: 1000, seat: 3) == nil)
    }

    /// The rule as an auditor would write it from the README (`ops/numbering-audit`, a few lines
    /// of Python): the same tickets and digest.
    @Test func anIndependentRecomputationInPythonAgreesExactly() throws {
        let roster = Self.roster("4301", "11", 47) + Self.roster("4301", "21", 13, from: 500) + Self.roster("4302", "12", 61, from: 900)
        for mix in [false, true] {
            let result = try Numbering.run(roster, rules: .init(mixRemainders: mix), seed: "湖南-2026-公开种子")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            let audit = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("ops/numbering-audit").path
            process.arguments = [audit, "湖南-2026-公开种子"] + (mix ? ["--mix"] : [])
            let input = Pipe(), output = Pipe()
            process.standardInput = input
            process.standardOutput = output
            try process.run()
            let csv = "candidateNumber,district,group\n" + roster.map { "\($0.number),\($0.district),\($0.group)\n" }.joined()
            input.fileHandleForWriting.write(Data(csv.utf8))
            try input.fileHandleForWriting.close()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            let lines = text.split(separator: "\n").map(String.init)
            #expect(lines.first == result.digest, "mix \(mix)")
            #expect(Array(lines.dropFirst()) == result.seats.map { "\($0.ticket.text),\($0.candidateNumber)" }, "mix \(mix)")
        }
    }
}
