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

    static func orderKey(_ key: SymmetricKey, candidateNumber: String) -> OrderKey {
        let code = Array(HMAC<SHA256>.authenticationCode(for: Data(candidateNumber.utf8), using: key))
        func word(_ at: Int) -> UInt64 { code[at..<at + 8].reduce(0) { $0 << 8 | UInt64($1) } }
        return OrderKey(words: (word(0), word(8), word(16), word(24)))
    }

    /// By key, then (never seen in practice) by candidate number.
    private static func inOrder(_ a: (key: OrderKey, candidate: Candidate), _ b: (key: OrderKey, candidate: Candidate)) -> Bool {
        if a.key != b.key { return a.key < b.key }
        return a.candidate.number < b.candidate.number
    }

    static func run(_ roster: [Candidate], rules: Rules, seed: String) throws(Problem) -> Result {
        let key = SymmetricKey(data: Data(seed.utf8))
        var seats: [Seat] = []
        seats.reserveCapacity(roster.count)
        var rooms: [Room] = []
        let byDistrict = Dictionary(grouping: roster, by: \.district)
        for district in byDistrict.keys.sorted() {
            let byGroup = Dictionary(grouping: byDistrict[district] ?? [], by: \.group)
            var remainders: [(group: String, candidates: [Candidate])] = []
            var room = 0
            func seat(_ candidates: [Candidate], groups: [String]) throws(Problem) {
                room += 1
                guard room <= 999 else { throw .roomsExhausted(district: district) }
                for (index, candidate) in candidates.enumerated() {
                    guard let ticket = AdmissionTicketNumber(district: district, group: candidate.group, room: room, seat: index + 1) else {
                        throw .badCode(candidateNumber: candidate.number)
                    }
                    seats.append(Seat(candidateID: candidate.id, candidateNumber: candidate.number, ticket: ticket))
                }
                rooms.append(Room(district: district, number: room, groups: groups, seats: candidates.count))
            }
            for group in byGroup.keys.sorted() {
                let keyed: [(key: OrderKey, candidate: Candidate)] = (byGroup[group] ?? []).map { (orderKey(key, candidateNumber: $0.number), $0) }
                let ordered = keyed.sorted(by: Self.inOrder).map(\.candidate)
                let whole = ordered.count / rules.seatsPerRoom * rules.seatsPerRoom
                for start in stride(from: 0, to: whole, by: rules.seatsPerRoom) {
                    try seat(Array(ordered[start..<start + rules.seatsPerRoom]), groups: [group])
                }
                if whole < ordered.count { remainders.append((group, Array(ordered[whole...]))) }
            }
            if rules.mixRemainders {
                let rest = remainders.flatMap(\.candidates)
                for start in stride(from: 0, to: rest.count, by: rules.seatsPerRoom) {
                    let chunk = Array(rest[start..<min(start + rules.seatsPerRoom, rest.count)])
                    try seat(chunk, groups: Array(Set(chunk.map(\.group))).sorted())
                }
            } else {
                for remainder in remainders { try seat(remainder.candidates, groups: [remainder.group]) }
            }
        }
        seats.sort { $0.ticket.text < $1.ticket.text }
        let lines = seats.map { "\($0.ticket.text),\($0.candidateNumber)\n" }.joined()
        let digest = SHA256.hash(data: Data(lines.utf8)).map { String($0, radix: 16).leftPadded(to: 2) }.joined()
        return Result(seats: seats, rooms: rooms, digest: digest)
    }
}

/// 准考证号: 11 digits, district (4) + exam group (2) + room within the district (3) + seat (2).
struct AdmissionTicketNumber: Sendable, Equatable, Hashable, CustomStringConvertible {
    let text: String

    init?(district: String, group: String, room: Int, seat: Int) {
        guard district.count == 4, group.count == 2, (district + group).allSatisfy(\.isASCIIDigit), (1...999).contains(room), (1...99).contains(seat) else {
            return nil
        }
        text = district + group + String(room).leftPadded(to: 3) + String(seat).leftPadded(to: 2)
    }

    var description: String { text }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

extension String {
    /// With zeros in front up to `width` characters.
    fileprivate func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
