/// The limits every transport applies per client, from its configuration:
/// `max_message_bytes`, `queue_max_messages`, `queue_max_bytes`, `close_timeout_seconds`.
public struct TransportLimits: Sendable, Equatable {
    /// Largest incoming message; longer ones are answered with an error and skipped.
    public var maxMessageBytes = 16 * 1024 * 1024
    /// Bounds of each client's outgoing queue.
    public var queueMaxMessages = 10_000
    public var queueMaxBytes = 64 * 1024 * 1024
    /// How long closing a client may spend flushing its queue.
    public var closeTimeoutSeconds = 5.0

    public static let configurationKeys: Set<String> = [
        "max_message_bytes", "queue_max_messages", "queue_max_bytes", "close_timeout_seconds",
    ]

    public init() {}
}

extension TransportLimits: Decodable {
    public init(from decoder: any Decoder) throws {
        try self.init(from: decoder, allowingExtraKeys: [])
    }

    /// For a plugin whose configuration has its own keys beside the limits.
    public init(from decoder: any Decoder, allowingExtraKeys extraKeys: Set<String>) throws {
        let container = try decoder.container(keyedBy: ConfigurationKey.self)
        self.init()
        var check = ConfigurationCheck()
        check.run { try container.rejectUnknownKeys(allowed: Self.configurationKeys.union(extraKeys)) }
        maxMessageBytes = check.read(maxMessageBytes) { try container.integer("max_message_bytes", default: maxMessageBytes, in: 1...Int.max) }
        queueMaxMessages = check.read(queueMaxMessages) { try container.integer("queue_max_messages", default: queueMaxMessages, in: 1...Int.max) }
        queueMaxBytes = check.read(queueMaxBytes) { try container.integer("queue_max_bytes", default: queueMaxBytes, in: 1...Int.max) }
        closeTimeoutSeconds = check.read(closeTimeoutSeconds) {
            try container.number("close_timeout_seconds", default: closeTimeoutSeconds, in: 0...86_400)
        }
        try check.finish()
    }
}
