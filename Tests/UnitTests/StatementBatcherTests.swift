import Storage
import Synchronization
import Testing

/// How concurrent rows are grouped into statements (the grouping only: the statements
/// themselves are tested against PostgreSQL with the features that use them).
@Suite struct StatementBatcherTests {
    struct Refused: Error, Equatable { let row: Int }

    /// Records every batch it is given; a batch holding `poison` fails as a whole, one holding
    /// `stuck` takes a minute (unless its task is cancelled).
    final class Recorder: Sendable {
        let batches = Mutex<[[Int]]>([])
        let poison: Int?
        let stuck: Int?
        init(poison: Int? = nil, stuck: Int? = nil) {
            self.poison = poison
            self.stuck = stuck
        }

        func write(_ rows: [Int]) async throws -> [Int] {
            batches.withLock { $0.append(rows) }
            try await Task.sleep(for: rows.contains { $0 == stuck } ? .seconds(60) : .milliseconds(5))  // a statement's round trip
            if let poison, rows.contains(poison) { throw Refused(row: poison) }
            return rows.map { $0 * 10 }
        }
    }

    @Test func concurrentRowsShareStatementsAndEachGetsItsOwnOutcome() async throws {
        let recorder = Recorder()
        let batcher = StatementBatcher<Int, Int, Int>(maxBatch: 50, maxInFlight: 2, key: { $0 }) { try await recorder.write($0) }
        let outcomes = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for row in 0..<400 { group.addTask { (row, try await batcher.submit(row)) } }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        #expect(outcomes.count == 400 && outcomes.allSatisfy { $0.value == $0.key * 10 })
        let batches = recorder.batches.withLock { $0 }
        #expect(batches.flatMap { $0 }.sorted() == Array(0..<400), "every row written exactly once")
        #expect(batches.count < 100, "400 rows in \(batches.count) statements")
        #expect(batches.allSatisfy { $0.count <= 50 })
    }

    @Test func rowsWithTheSameKeyNeverShareAStatement() async throws {
        let recorder = Recorder()
        // Key: the row's tens (rows 0...9 are one candidate, 10...19 another, ...).
        let batcher = StatementBatcher<Int, Int, Int>(maxInFlight: 1, key: { $0 / 10 }) { try await recorder.write($0) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for row in 0..<60 { group.addTask { _ = try await batcher.submit(row) } }
            try await group.waitForAll()
        }
        let batches = recorder.batches.withLock { $0 }
        #expect(batches.flatMap { $0 }.count == 60)
        for batch in batches { #expect(Set(batch.map { $0 / 10 }).count == batch.count, "\(batch)") }
    }

    @Test func aFailingRowFailsAloneAndTheOthersAreWritten() async throws {
        let recorder = Recorder(poison: 7)
        let batcher = StatementBatcher<Int, Int, Int>(maxInFlight: 1, key: { $0 }) { try await recorder.write($0) }
        let results = await withTaskGroup(of: (Int, Result<Int, Refused>).self) { group in
            for row in 0..<20 {
                group.addTask {
                    do { return (row, .success(try await batcher.submit(row))) } catch { return (row, .failure(error as! Refused)) }
                }
            }
            return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        #expect(results[7] == .failure(Refused(row: 7)))
        for row in 0..<20 where row != 7 { #expect(results[row] == .success(row * 10)) }
        #expect(recorder.batches.withLock { $0 }.contains { $0.count > 1 }, "rows were grouped before the failure split them")
    }

    /// An idle batcher writes a row at once, alone; a caller cancelled during its own write fails
    /// only itself, and the rows that queued behind it are still written.
    @Test func aLoneRowIsWrittenAtOnceAndACancelledWriterFailsOnlyItself() async throws {
        let recorder = Recorder(stuck: 2)
        let batcher = StatementBatcher<Int, Int, Int>(maxInFlight: 1, key: { $0 }) { try await recorder.write($0) }
        #expect(try await batcher.submit(1) == 10)
        #expect(recorder.batches.withLock { $0 } == [[1]])

        let cancelled = Task { try await batcher.submit(2) }
        while recorder.batches.withLock({ $0.count }) < 2 { await Task.yield() }  // row 2 is being written
        let queued = Task { try await batcher.submit(3) }
        try await Task.sleep(for: .milliseconds(50))  // row 3 waits behind it (or, on a slow machine, comes after)
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        #expect(try await queued.value == 30)
        #expect(recorder.batches.withLock { $0 } == [[1], [2], [3]])
    }
}
