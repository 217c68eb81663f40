import Foundation
import Logging
import Messaging
import PostgresNIO
import ServiceLifecycle
import UnixSignals
import Settings
import Storage
import Synchronization

/// A process for the messaging tests to start and kill: the real consumer runtime and outbox
/// relay, with a handler whose effect (a row per message) the tests can count.
///
///     MessagingProbe consume QUEUE BINDING_KEY     drain QUEUE into probe_effect
///     MessagingProbe relay [CRASH_AFTER_BATCHES]   publish the outbox; exit abruptly after N batches
@main
struct MessagingProbe {
    static func main() async throws {
        let words = Array(CommandLine.arguments.dropFirst().prefix { !$0.hasPrefix("--") })
        let reader = SettingsReader()
        let postgresSettings = try PostgresSettings(reader: reader)
        let amqpSettings = try AMQPSettings(reader: reader)
        var logger = Logger(label: "probe")
        logger.logLevel = .warning
        let postgres = PostgresClient(configuration: .init(settings: postgresSettings), backgroundLogger: logger)
        var services: [any Service] = [postgres]
        switch words.first {
        case "consume" where words.count == 3:
            let queue = WorkQueue(name: words[1], bindingKeys: [words[2]], retryDelays: [.milliseconds(200)], maxAttempts: 3)
            services.append(QueueConsumer(
                queue: queue, handler: EffectRecorder(), concurrency: 16, settings: amqpSettings, postgres: postgres, logger: logger))
        case "relay":
            let publisher = AMQPClient(settings: amqpSettings, logger: logger)
            services.append(publisher)
            var crash: (@Sendable () -> Void)? = nil
            if words.count > 1, let limit = Int(words[1]) {
                let batches = BatchCounter()
                // Confirmed by the broker, not yet marked published: the worst moment to die.
                crash = { if batches.next() >= limit { _exit(99) } }
            }
            services.append(OutboxRelay(postgres: postgres, publisher: publisher, batchSize: 100, logger: logger, afterPublish: crash))
        default:
            FileHandle.standardError.write(Data("usage: MessagingProbe consume QUEUE KEY | relay [CRASH_AFTER_BATCHES]\n".utf8))
            exit(64)
        }
        try await ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm], logger: logger)).run()
    }
}

/// One row per application, deliberately without a unique key: a duplicate effect would show.
struct EffectRecorder: MessageHandler {
    let consumerName = "probe"

    func handle(_ message: IncomingMessage, in transaction: PostgresConnection, logger: Logger) async throws {
        let id = message.messageID ?? ""
        let body = ByteBuffer(bytes: message.body)
        try await transaction.query("INSERT INTO probe_effect (message_id, body) VALUES (\(id), \(body))", logger: logger)
    }
}

final class BatchCounter: Sendable {
    private let count = Mutex(0)
    func next() -> Int { count.withLock { $0 += 1; return $0 } }
}
