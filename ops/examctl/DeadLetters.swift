import Foundation
import Logging
import Messaging
import Settings

/// `examctl dlq show|replay QUEUE`: what failed for good, and sending it back once fixed.
/// Bodies are not printed: they may hold personal data.
enum DeadLetters {
    static func run(_ words: [String], settings: AMQPSettings) async throws {
        let broker = AMQPClient(settings: settings, logger: .init(label: "examctl"))
        do {
            switch (words.first, words.count) {
            case ("show", 2), ("show", 3):
                try await show(queue: words[1], limit: words.count == 3 ? Int(words[2]) ?? 20 : 20, broker: broker)
            case ("replay", 2):
                try await replay(queue: words[1], broker: broker)
            default:
                throw UsageError()
            }
        } catch {
            await broker.close()
            throw error
        }
        // Closed before the process exits: the broker has then taken back what was browsed.
        await broker.close()
    }

    static func show(queue: String, limit: Int, broker: AMQPClient) async throws {
        let dead = "\(queue).dead"
        let (count, _) = try await broker.inspect(queue: dead)
        print("\(dead): \(count) message(s)")
        // Held unacknowledged while browsing, so each is seen once; all go back afterwards.
        var held: [IncomingMessage] = []
        while held.count < limit, let message = try await broker.get(queue: dead) {
            held.append(message)
            print(
                "- id \(message.messageID ?? "?")  type \(message.type ?? "?")  attempts \(message.headers["x-attempt"] ?? "?")  bytes \(message.body.count)\n"
                    + "  last error: \(message.headers["x-last-error"] ?? message.headers["x-first-death-reason"] ?? "?")")
        }
        for message in held { try await broker.reject(message, requeue: true) }
    }

    static func replay(queue: String, broker: AMQPClient) async throws {
        let dead = "\(queue).dead"
        var replayed = 0
        while let message = try await broker.get(queue: dead) {
            var headers = message.headers
            headers["x-attempt"] = nil
            headers["x-replayed-after"] = headers.removeValue(forKey: "x-last-error")
            // Through the default exchange, by queue name: only to the queue it failed in.
            try await broker.publish([
                OutgoingMessage(
                    exchange: "", routingKey: queue, messageID: message.messageID ?? UUID().uuidString, type: message.type ?? "",
                    body: message.body, headers: headers)
            ])
            try await broker.ack(message)
            replayed += 1
        }
        print("\(dead): replayed \(replayed) message(s) to \(queue)")
    }
}
