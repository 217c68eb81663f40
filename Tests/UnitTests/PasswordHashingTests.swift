import Access
import HTTPTypes
import NIOPosix
import ServiceRuntime
import Testing

/// Passwords hash and verify on their own threads, and a full line turns sign-ins away at once
/// with 503 and Retry-After instead of queueing them behind seconds of hashing.
@Suite struct PasswordHashingTests {
    @Test func aHashVerifiesItsOwnPasswordOnly() async throws {
        let hasher = PasswordHasher()
        let hash = try await hasher.hash("Correct#horse-2026")
        #expect(hash.hasPrefix("$argon2id$v=19$m=19456,t=2,p=1$"))
        #expect(try await hasher.verify("Correct#horse-2026", against: hash))
        #expect(try await !hasher.verify("Wrong#horse-2026", against: hash))
        #expect(try await !hasher.verify("Correct#horse-2026", against: nil), "no account: a dummy check, never a match")
    }

    @Test func beyondTheLineSignInsAreTurnedAwayAtOnceAndTheLineFreesAgain() async throws {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        defer { Task { try? await pool.shutdownGracefully() } }
        let hasher = PasswordHasher(pool: pool, admitted: 2)
        // Eight at once on one thread, two admitted: each takes tens of milliseconds, so the
        // other six arrive while both are still inside.
        let outcomes = await withTaskGroup(of: String.self) { group in
            for index in 0..<8 {
                group.addTask {
                    do {
                        _ = try await hasher.hash("Password#\(index)")
                        return "hashed"
                    } catch let error as APIError {
                        return "\(error.status.code) \(error.code) \(error.headers[.retryAfter] ?? "-")"
                    } catch {
                        return "\(error)"
                    }
                }
            }
            return await group.reduce(into: [String: Int]()) { $0[$1, default: 0] += 1 }
        }
        #expect(outcomes == ["hashed": 2, "503 busy 3": 6])
        // Once they are done, the line is empty again.
        #expect(try await hasher.verify("x", against: try await hasher.hash("x")))
    }
}
