import Foundation

/// A human summary of a configuration for `check-config` and start-up logs. Names where
/// the secret comes from, never the secret.
public struct ConfigurationSummary {
    public let text: String

    public init(_ configuration: BridgeConfiguration) {
        let upstream = configuration.upstream
        var lines = [
            "upstream.kind:       \(upstream.kind.rawValue)",
            "upstream.url:        \(upstream.baseURL)",
            "upstream.project:    \(upstream.project)",
        ]
        if let email = upstream.email { lines.append("upstream.email:      \(email)") }
        let secretLabel = "\(SecretSource.setting(for: upstream.kind)):".padding(toLength: 21, withPad: " ", startingAt: 0)
        lines += [
            "\(secretLabel)from \(upstream.secretSource.description)",
            "upstream.ca_file:    \(upstream.caFile ?? "(system CAs)")",
            "upstream.timeout:    \(upstream.requestTimeout) s",
            "sync.socket_feed:    \(configuration.sync.useSocketFeed)",
            "sync.safety_poll:    \(configuration.sync.safetyPollSeconds) s",
            "state_directory:     \(configuration.stateDirectory)",
            "journal_size:        \(configuration.journalSize)",
            "log_level:           \(configuration.logLevel)",
        ]
        let transports = configuration.transports.keys.sorted()
        lines.append("transports:          \(transports.isEmpty ? "(none)" : transports.joined(separator: ", "))")
        text = lines.joined(separator: "\n")
    }
}
