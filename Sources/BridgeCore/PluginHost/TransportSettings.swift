/// One `transports.<name>` section: which library to load, the host-side policy, and the
/// rest, which goes to the plugin as its configuration.
struct TransportSettings: Sendable {
    /// Library file names of the bundled transports, by section name.
    static let bundled = ["stdio": "libStdioTransport.so", "websocket": "libWebSocketTransport.so",
                          "unix": "libUnixSocketTransport.so"]
    static let hostKeys: Set<String> = ["library", "call_allowlist", "max_subscriptions", "requests_per_second",
                                        "pending_requests_max_bytes", "max_answer_bytes"]

    let name: String
    let library: String
    let policy: TransportPolicy
    let pluginConfig: JSONValue

    init(name: String, section: JSONValue, pluginDirectory: String) throws {
        guard case .object(let members) = section else {
            throw PluginLoadError("transports.\(name) must be a mapping")
        }
        self.name = name
        if let library = members["library"]?.stringValue {
            self.library = library.hasPrefix("/") ? library : "\(pluginDirectory)/\(library)"
        } else if let file = Self.bundled[name] {
            library = "\(pluginDirectory)/\(file)"
        } else {
            throw PluginLoadError("transports.\(name): unknown transport; set transports.\(name).library to the plugin's .so")
        }
        var policy = TransportPolicy()
        if let allowlist = members["call_allowlist"] {
            guard let entries = allowlist.arrayValue?.compactMap(\.stringValue), entries.count == allowlist.arrayValue?.count else {
                throw PluginLoadError("transports.\(name).call_allowlist must be a list of endpoint names")
            }
            policy.callAllowlist = try entries.map { entry in
                do {
                    return try EndpointPattern(entry)
                } catch {
                    throw PluginLoadError("transports.\(name).call_allowlist: \(error)")
                }
            }
        }
        if let limit = members["max_subscriptions"] {
            guard let value = limit.int64Value, value > 0 else { throw PluginLoadError("transports.\(name).max_subscriptions must be a positive integer") }
            policy.maxSubscriptionsPerClient = Int(value)
        }
        if let rate = members["requests_per_second"] {
            guard let value = rate.doubleValue, value >= 0 else { throw PluginLoadError("transports.\(name).requests_per_second must be a number ≥ 0") }
            policy.requestsPerSecond = value
        }
        // The plugin validates its own limits; the host only reads the queue bound.
        if let bound = members["queue_max_messages"]?.int64Value, bound > 0 { policy.slowConsumerBacklog = Int(bound) }
        // Room for one message of the largest size waiting behind another being answered.
        let maxMessageBytes = members["max_message_bytes"]?.int64Value.map { Int(clamping: $0) } ?? 16 * 1024 * 1024
        policy.maxPendingRequestBytes = max(TransportPolicy.defaultMaxPendingRequestBytes, maxMessageBytes > Int.max / 2 ? Int.max : 2 * maxMessageBytes)
        if let limit = members["pending_requests_max_bytes"] {
            guard let value = limit.int64Value, value >= maxMessageBytes else {
                throw PluginLoadError("transports.\(name).pending_requests_max_bytes must be a whole number of bytes, at least max_message_bytes (\(maxMessageBytes))")
            }
            policy.maxPendingRequestBytes = Int(clamping: value)
        }
        if let limit = members["max_answer_bytes"] {
            guard let value = limit.int64Value, value >= 1024 else {
                throw PluginLoadError("transports.\(name).max_answer_bytes must be a whole number of bytes, at least 1024")
            }
            policy.maxAnswerBytes = Int(clamping: value)
        }
        self.policy = policy
        pluginConfig = .object(members.filter { !Self.hostKeys.contains($0.key) })
    }
}
