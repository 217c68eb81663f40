/// The automatic proposal of a district's rooms to its sites (seed 四.11), which the district's
/// officer then adjusts: sites in order of the counties they are in (then by name), each filled
/// up to the rooms it offered, with rooms in number order, so an exam group's rooms (numbered
/// together) stay together unless a site fills up between them. A room goes only to a site whose
/// rooms seat all of it.
enum AutomaticAllocation {
    struct Site: Sendable, Equatable {
        let id: String
        let countyID: String
        let name: String
        let rooms: Int
        let seatsPerRoom: Int
    }

    struct Room: Sendable, Equatable {
        let number: Int
        let seats: Int
    }

    /// Room number -> site id for every room, or nil when the sites cannot hold them.
    static func propose(_ rooms: [Room], sites: [Site]) -> [Int: String]? {
        let ordered = sites.sorted { ($0.countyID, $0.name, $0.id) < ($1.countyID, $1.name, $1.id) }
        var free = ordered.map(\.rooms)
        var proposal: [Int: String] = [:]
        var current = 0
        for room in rooms.sorted(by: { $0.number < $1.number }) {
            // The current site if it still fits, else the first later one that does, else any.
            let candidates = Array(current..<ordered.count) + Array(0..<min(current, ordered.count))
            guard let index = candidates.first(where: { free[$0] > 0 && ordered[$0].seatsPerRoom >= room.seats }) else { return nil }
            free[index] -= 1
            proposal[room.number] = ordered[index].id
            if index >= current { current = index }
        }
        return proposal
    }
}
