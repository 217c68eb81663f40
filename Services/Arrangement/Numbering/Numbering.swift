import Crypto
import Foundation

/// The province's numbering run (编排准考证号), as a pure function of the roster, the year's rules
/// and a seed, so that anyone can recompute it (README, "The numbering rule"):
/// 1. In each exam district, each exam group's candidates are ordered by
///    HMAC-SHA256(key: seed, message: candidate number) in hex, ascending.
/// 2. The district's groups, by code ascending, fill whole rooms of `seatsPerRoom` in that order;
///    rooms are numbered from 001 without gaps, seats from 01.
/// 3. The groups' remainders come last: one partial room each (groups ascending) or, where the
///    year mixes remainders (the Hunan practice), one run of rooms filled by the remainders in
///    group order, each room listing its groups.
/// 4. A candidate's admission-ticket number is district (4) + group (2) + room (3) + seat (2).
/// The run's digest is SHA-256 over the lines `ticket,candidateNumber\n` in ticket order.
enum Numbering {
    /// One candidate to number: their candidate number (考生号), the district the scope rules
    /// put them in, and their exam group.
    struct Candidate: Sendable, Equatable {
        /// The candidate's account id, carried through to their seat (not part of the rule).
        var id: Int64 = 0
        let number: String
        let district: String
        let group: String
    }

    struct Rules: Sendable, Equatable {
        var seatsPerRoom = 30
        /// The year lets the last, partial rooms of a district combine several groups.
        var mixRemainders = false
    }

    struct Seat: Sendable, Equatable {
        let candidateID: Int64
        let candidateNumber: String
        let ticket: AdmissionTicketNumber
    }

    struct Room: Sendable, Equatable {
        let district: String
        let number: Int
        /// Its groups, ascending (more than one only in a mixed room).
        let groups: [String]
        let seats: Int
    }

    struct Result: Sendable, Equatable {
        /// In ticket order.
        let seats: [Seat]
        let rooms: [Room]
        let digest: String
    }

    enum Problem: Error, Equatable {
        case roomsExhausted(district: String)
        case badCode(candidateNumber: String)
    }

    /// The order key of a candidate under `seed`: the HMAC's 32 bytes as four big-endian words,
    /// which order as its hex text does (and compare without making that text).
    struct OrderKey: Comparable, Sendable {
        let words: (UInt64, UInt64, UInt64, UInt64)

        static func < (a: OrderKey, b: OrderKey) -> Bool { a.words < b.words }
        static func == (a: OrderKey, b: OrderKey) -> Bool { a.words == b.words }
    }

    /// From an HMAC already keyed with the seed (a copy costs less than keying it again).
    static func orderKey(_ keyed: HMAC<SHA256>, candidateNumber: String) -> OrderKey {
        var hmac = keyed
        hmac.update(data: Array(candidateNumber.utf8))
        return hmac.finalize().withUnsafeBytes { code in
            func word(_ at: Int) -> UInt64 { (at..<at + 8).reduce(0) { $0 << 8 | UInt64(code[$1]) } }
            return OrderKey(words: (word(0), word(8), word(16), word(24)))
        }
    }

    /// Every candidate's order key, computed on all cores (the HMACs are most of the run's CPU).
    static func orderKeys(_ roster: [Candidate], seed: String) -> [OrderKey] {
        // A value: each use copies it (copy-on-write), so the slices share it only to read.
        nonisolated(unsafe) let keyed = HMAC<SHA256>(key: SymmetricKey(data: Data(seed.utf8)))
        var keys = [OrderKey](repeating: OrderKey(words: (0, 0, 0, 0)), count: roster.count)
        let slices = max(1, min(ProcessInfo.processInfo.activeProcessorCount * 4, roster.count / 10_000))
        keys.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let output = buffer
            roster.withUnsafeBufferPointer { input in
                nonisolated(unsafe) let candidates = input
                DispatchQueue.concurrentPerform(iterations: slices) { slice in
                    // Each slice writes only its own elements.
                    for index in stride(from: slice, to: candidates.count, by: slices) {
                        output[index] = orderKey(keyed, candidateNumber: candidates[index].number)
                    }
                }
            }
        }
        return keys
    }

    static func run(_ roster: [Candidate], rules: Rules, seed: String) throws(Problem) -> Result {
        let keys = orderKeys(roster, seed: seed)
        var seats: [Seat] = []
        seats.reserveCapacity(roster.count)
        var rooms: [Room] = []
        let byDistrict = Dictionary(grouping: roster.indices, by: { roster[$0].district })
        for district in byDistrict.keys.sorted() {
            let byGroup = Dictionary(grouping: byDistrict[district] ?? [], by: { roster[$0].group })
            var remainders: [(group: String, candidates: ArraySlice<Int>)] = []
            var room = 0
            func seat(_ candidates: ArraySlice<Int>, groups: [String]) throws(Problem) {
                room += 1
                guard room <= 999 else { throw .roomsExhausted(district: district) }
                for (offset, index) in candidates.enumerated() {
                    let candidate = roster[index]
                    guard let ticket = AdmissionTicketNumber(district: district, group: candidate.group, room: room, seat: offset + 1) else {
                        throw .badCode(candidateNumber: candidate.number)
                    }
                    seats.append(Seat(candidateID: candidate.id, candidateNumber: candidate.number, ticket: ticket))
                }
                rooms.append(Room(district: district, number: room, groups: groups, seats: candidates.count))
            }
            for group in byGroup.keys.sorted() {
                // By key, then (never seen in practice) by candidate number.
                let ordered = (byGroup[group] ?? []).sorted { keys[$0] != keys[$1] ? keys[$0] < keys[$1] : roster[$0].number < roster[$1].number }
                let whole = ordered.count / rules.seatsPerRoom * rules.seatsPerRoom
                for start in stride(from: 0, to: whole, by: rules.seatsPerRoom) {
                    try seat(ordered[start..<start + rules.seatsPerRoom], groups: [group])
                }
                if whole < ordered.count { remainders.append((group, ordered[whole...])) }
            }
            if rules.mixRemainders {
                let rest = remainders.flatMap(\.candidates)
                for start in stride(from: 0, to: rest.count, by: rules.seatsPerRoom) {
                    let chunk = rest[start..<min(start + rules.seatsPerRoom, rest.count)]
                    try seat(chunk, groups: Array(Set(chunk.map { roster[$0].group })).sorted())
                }
            } else {
                for remainder in remainders { try seat(remainder.candidates, groups: [remainder.group]) }
            }
        }
        // Ticket order is numeric order: eleven digits each.
        seats.sort { $0.ticket.value < $1.ticket.value }
        var digest = SHA256()
        for seat in seats { digest.update(data: Array("\(seat.ticket.text),\(seat.candidateNumber)\n".utf8)) }
        return Result(seats: seats, rooms: rooms, digest: digest.finalize().map { String($0, radix: 16).leftPadded(to: 2) }.joined())
    }
}

/// 准考证号: 11 digits, district (4) + exam group (2) + room within the district (3) + seat (2).
struct AdmissionTicketNumber: Sendable, Equatable, Hashable, CustomStringConvertible {
    let text: String
    /// The same digits as a number, which orders as the text does.
    let value: UInt64

    init?(district: String, group: String, room: Int, seat: Int) {
        guard district.utf8.count == 4, group.utf8.count == 2, (district + group).utf8.allSatisfy({ (0x30...0x39).contains($0) }), (1...999).contains(room),
            (1...99).contains(seat)
        else {
            return nil
        }
        text = district + group + String(room).leftPadded(to: 3) + String(seat).leftPadded(to: 2)
        value = UInt64(text)!
    }

    var description: String { text }
}

extension String {
    /// With zeros in front up to `width` characters.
    fileprivate func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
