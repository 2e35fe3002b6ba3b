import BridgePluginKit

/// One `transports.<name>` section: which library to load, the host-side policy, and the
/// rest, which goes to the plugin as its configuration.
struct TransportSettings: Sendable {
    /// Library file names of the bundled transports, by section name.
    static let bundled = ["stdio": "libStdioTransport.so", "websocket": "libWebSocketTransport.so",
                          "unix": "libUnixSocketTransport.so"]
    static let hostKeys: Set<String> = ["library", "call_allowlist", "max_subscriptions", "requests_per_second",
                                        "pending_requests_max_bytes", "max_answer_bytes", "upstream_requests_burst",
                                        "upstream_requests_per_second"]

    let name: String
    /// The plugin's path; nil for a section naming no library and no bundled transport.
    let library: String?
    let policy: TransportPolicy
    /// The section without the host's keys: the plugin's configuration.
    let pluginConfig: JSONValue
    /// Every problem with the host's keys (`transports.<name>.<key>`).
    let issues: [ConfigurationError.Issue]

    /// The settings, for a host that loads the plugin: throws every problem at once.
    static func usable(name: String, section: JSONValue, pluginDirectory: String) throws -> (settings: TransportSettings, library: String) {
        let settings = TransportSettings(name: name, section: section, pluginDirectory: pluginDirectory)
        guard settings.issues.isEmpty, let library = settings.library else { throw PluginLoadError(issues: settings.issues) }
        return (settings, library)
    }

    /// Reads the section, noting each problem and going on.
    init(name: String, section: JSONValue, pluginDirectory: String) {
        let prefix = "transports.\(name)"
        var issues: [ConfigurationError.Issue] = []
        func fail(_ key: String?, _ message: String) {
            issues.append(.init(key: key.map { "\(prefix).\($0)" } ?? prefix, message: message, location: nil))
        }
        self.name = name
        let members = section.objectValue ?? [:]
        if section.objectValue == nil { fail(nil, "must be a mapping") }
        if let library = members["library"]?.stringValue {
            self.library = library.hasPrefix("/") ? library : "\(pluginDirectory)/\(library)"
        } else if let file = Self.bundled[name] {
            library = "\(pluginDirectory)/\(file)"
        } else {
            library = nil
            fail(nil, "unknown transport\(DidYouMean.hint(for: name, among: Self.bundled.keys)); the bundled ones are \(Self.bundled.keys.sorted().joined(separator: ", ")), or set \(prefix).library to a plugin's .so")
        }
        var policy = TransportPolicy()
        if let allowlist = members["call_allowlist"] {
            if let entries = allowlist.arrayValue?.compactMap(\.stringValue), entries.count == allowlist.arrayValue?.count {
                policy.callAllowlist = entries.compactMap { entry in
                    do {
                        return try EndpointPattern(entry)
                    } catch {
                        fail("call_allowlist", "\(error)")
                        return nil
                    }
                }
            } else {
                fail("call_allowlist", "must be a list of endpoint names")
            }
        }
        if let limit = members["max_subscriptions"] {
            if let value = limit.int64Value, value > 0 { policy.maxSubscriptionsPerClient = Int(value) }
            else { fail("max_subscriptions", "must be a positive integer") }
        }
        if let rate = members["requests_per_second"] {
            if let value = rate.doubleValue, value >= 0 { policy.requestsPerSecond = value }
            else { fail("requests_per_second", "must be a number ≥ 0") }
        }
        // The plugin validates its own limits; the host only reads the queue bound.
        if let bound = members["queue_max_messages"]?.int64Value, bound > 0 { policy.slowConsumerBacklog = Int(bound) }
        // Room for one message of the largest size waiting behind another being answered.
        let maxMessageBytes = members["max_message_bytes"]?.int64Value.map { Int(clamping: $0) } ?? 16 * 1024 * 1024
        policy.maxPendingRequestBytes = max(TransportPolicy.defaultMaxPendingRequestBytes, maxMessageBytes > Int.max / 2 ? Int.max : 2 * maxMessageBytes)
        if let limit = members["pending_requests_max_bytes"] {
            if let value = limit.int64Value, value >= maxMessageBytes { policy.maxPendingRequestBytes = Int(clamping: value) }
            else { fail("pending_requests_max_bytes", "must be a whole number of bytes, at least max_message_bytes (\(maxMessageBytes))") }
        }
        if let limit = members["max_answer_bytes"] {
            if let value = limit.int64Value, value >= 1024 { policy.maxAnswerBytes = Int(clamping: value) }
            else { fail("max_answer_bytes", "must be a whole number of bytes, at least 1024") }
        }
        if let burst = members["upstream_requests_burst"] {
            if let value = burst.int64Value, value >= 1, value <= 1_000_000 { policy.upstreamRequestsBurst = Int(value) }
            else { fail("upstream_requests_burst", "must be a whole number from 1 to 1000000") }
        }
        if let rate = members["upstream_requests_per_second"] {
            if let value = rate.doubleValue, value > 0, value <= 1_000_000 { policy.upstreamRequestsPerSecond = value }
            else { fail("upstream_requests_per_second", "must be a number > 0 (at most 1000000)") }
        }
        self.issues = issues
        self.policy = policy
        pluginConfig = .object(members.filter { !Self.hostKeys.contains($0.key) })
    }
}
