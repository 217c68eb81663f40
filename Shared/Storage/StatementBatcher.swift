import Synchronization

/// Gathers the rows of concurrent requests into one set-based statement (group commit).
///
/// A request's row waits only while `maxInFlight` statements are already running; when one
/// finishes it takes everything that arrived meanwhile (up to `maxBatch`). An idle system
/// therefore writes each row at once (by the caller's own task), and a busy one writes many rows
/// per statement, per round trip and per WAL flush, which is what lets hundreds of requests share
/// one commit.
///
/// Rows with the same `key` (one candidate) never share a statement: the statement may assume
/// each key at most once. When a statement of several rows fails, each row is tried alone, so
/// one bad row answers its own error and the others are written.
public final class StatementBatcher<Row: Sendable, Outcome: Sendable, Key: Hashable & Sendable>: Sendable {
    public typealias Write = @Sendable ([Row]) async throws -> [Outcome]

    private struct Waiting {
        let row: Row
        let key: Key
        let continuation: CheckedContinuation<Outcome, any Error>
    }

    private struct State: ~Copyable {
        var waiting: [Waiting] = []
        var inFlight = 0
    }

    private let maxBatch: Int
    private let maxInFlight: Int
    private let key: @Sendable (Row) -> Key
    private let write: Write
    private let state = Mutex(State())

    /// `write` gets the rows of one statement and returns one outcome per row, in order.
    public init(maxBatch: Int = 256, maxInFlight: Int = 4, key: @escaping @Sendable (Row) -> Key, write: @escaping Write) {
        precondition(maxBatch > 0 && maxInFlight > 0)
        self.maxBatch = maxBatch
        self.maxInFlight = maxInFlight
        self.key = key
        self.write = write
    }

    /// Writes `row` with whatever else is waiting; returns its outcome once its statement is done.
    public func submit(_ row: Row) async throws -> Outcome {
        let key = self.key(row)
        // Nothing waiting and room for another statement: the row is written alone, by the
        // caller's own task. Handing it to a new task would cost two thread switches for nothing
        // to gather. Alone, so that a caller whose task is cancelled fails nobody else's row.
        let leads = state.withLock { state in
            guard state.waiting.isEmpty, state.inFlight < maxInFlight else { return false }
            state.inFlight += 1
            return true
        }
        if leads {
            defer {
                let next = nextBatch()
                if !next.isEmpty { Task { await self.drain(starting: next) } }
            }
            let outcomes = try await write([row])
            precondition(outcomes.count == 1, "a batch write must answer every row")
            return outcomes[0]
        }
        return try await withCheckedThrowingContinuation { continuation in
            let batch = state.withLock { state -> [Waiting]? in
                state.waiting.append(Waiting(row: row, key: key, continuation: continuation))
                guard state.inFlight < maxInFlight else { return nil }
                state.inFlight += 1
                return Self.take(&state, upTo: maxBatch)
            }
            if let batch { Task { await self.drain(starting: batch) } }
        }
    }

    /// Writes `batch`, then whatever waits, until nothing does.
    private func drain(starting batch: [Waiting]) async {
        var batch = batch
        while !batch.isEmpty {
            await run(batch)
            batch = nextBatch()
        }
    }

    /// What waits, for the statement that just finished to write next; when nothing waits, that
    /// statement's place is given up.
    private func nextBatch() -> [Waiting] {
        state.withLock { state in
            let next = Self.take(&state, upTo: maxBatch)
            if next.isEmpty { state.inFlight -= 1 }
            return next
        }
    }

    private func run(_ batch: [Waiting]) async {
        do {
            let outcomes = try await write(batch.map(\.row))
            precondition(outcomes.count == batch.count, "a batch write must answer every row")
            for (waiting, outcome) in zip(batch, outcomes) { waiting.continuation.resume(returning: outcome) }
        } catch {
            guard batch.count > 1 else { return batch[0].continuation.resume(throwing: error) }
            for waiting in batch { await run([waiting]) }
        }
    }

    /// The oldest waiting rows, each key at most once; the rest keep their order.
    private static func take(_ state: inout State, upTo limit: Int) -> [Waiting] {
        var batch: [Waiting] = [], keys = Set<Key>(), rest: [Waiting] = []
        for waiting in state.waiting {
            if batch.count < limit, keys.insert(waiting.key).inserted { batch.append(waiting) } else { rest.append(waiting) }
        }
        state.waiting = rest
        return batch
    }
}
