/// A human summary of a configuration for `check-config` and start-up logs. Names where
/// the API key comes from, never the key.
public struct ConfigurationSummary {
    public let text: String

    public init(_ configuration: BridgeConfiguration) {
        let upstream = configuration.upstream
        var lines = [
            "upstream.url:        \(upstream.baseURL)",
            "upstream.project:    \(upstream.project)",
            "upstream.api_key:    from \(upstream.apiKeySource.description)",
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
