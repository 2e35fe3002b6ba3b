import BridgePluginKit
import WebSocketCredentials

/// The WebSocket transport's configuration section (the keys the host does not keep for
/// itself). Every key is optional; see the README's "WebSocket transport" section.
struct WebSocketConfiguration: Decodable, Sendable {
    static let keys: Set<String> = [
        "listen", "tls", "tokens_file", "hmac_secret_file", "allowed_origins", "max_connections",
        "max_connections_per_ip", "max_handshakes_per_ip", "ping_interval_seconds", "idle_timeout_seconds", "permessage_deflate", "dashboard",
    ]
    /// Defaults that differ from the other transports': many remote clients share one
    /// process, so each gets less room.
    static let defaultMaxMessageBytes = 1 << 20
    static let defaultQueueMaxBytes = 16 << 20

    var limits: TransportLimits
    var listen: [ListenAddress]
    var tls: TLSConfiguration?
    var tokensFile: String?
    var hmacSecretFile: String?
    /// The tokens of both files, read (and refused when others can read them) with the rest.
    var tokens: TokenVerifier
    /// Origins allowed to open WebSockets (exact `scheme://host[:port]`, or "*"); nil: any.
    var allowedOrigins: [String]?
    var maxConnections: Int
    var maxConnectionsPerIP: Int
    /// Connections from one address not (yet) upgraded: handshakes under way, plain HTTP.
    var maxHandshakesPerIP: Int
    var pingIntervalSeconds: Int
    var idleTimeoutSeconds: Int
    var permessageDeflate: Bool
    var servesDashboard: Bool

    init(from decoder: any Decoder) throws {
        var check = ConfigurationCheck()
        limits = check.read(TransportLimits()) { try TransportLimits(from: decoder, allowingExtraKeys: Self.keys) }
        let container = try decoder.container(keyedBy: ConfigurationKey.self)
        if !container.contains(ConfigurationKey("max_message_bytes")) { limits.maxMessageBytes = Self.defaultMaxMessageBytes }
        if !container.contains(ConfigurationKey("queue_max_bytes")) { limits.queueMaxBytes = Self.defaultQueueMaxBytes }

        listen = check.read([]) {
            let addresses = try container.strings("listen") ?? ["127.0.0.1:8080"]
            guard !addresses.isEmpty else { throw PluginError(key: "listen", "configuration key \"listen\" must name at least one HOST:PORT") }
            return try addresses.map { address in
                do { return try ListenAddress(parsing: address) } catch { throw PluginError(key: "listen", "\(error)") }
            }
        }
        tls = check.read(nil) { try container.decodeIfPresent(TLSConfiguration.self, forKey: ConfigurationKey("tls")) }
        let tokensFile = check.read(nil) { try container.string("tokens_file") }
        let hmacSecretFile = check.read(nil) { try container.string("hmac_secret_file") }
        let staticTokens = check.read(nil, key: "tokens_file") { try tokensFile.map(StaticTokenList.init(path:)) }
        let hmac = check.read(nil, key: "hmac_secret_file") { try hmacSecretFile.map(HMACToken.init(secretFile:)) }
        self.tokensFile = tokensFile
        self.hmacSecretFile = hmacSecretFile
        tokens = TokenVerifier(staticTokens: staticTokens, hmac: hmac)
        allowedOrigins = check.read(nil) { try container.strings("allowed_origins") }
        maxConnections = check.read(0) { try container.integer("max_connections", default: 10_000, in: 1...1_000_000) }
        maxConnectionsPerIP = check.read(0) { try container.integer("max_connections_per_ip", default: 100, in: 1...1_000_000) }
        // Well below the header slots (256), which it shares out between addresses. Behind a
        // reverse proxy every client has the proxy's address: that one needs it raised.
        maxHandshakesPerIP = check.read(0) { try container.integer("max_handshakes_per_ip", default: 10, in: 1...1_000_000) }
        // lws counts these in whole seconds, in 16 bits.
        pingIntervalSeconds = check.read(0) { try container.integer("ping_interval_seconds", default: 30, in: 1...3_600) }
        idleTimeoutSeconds = check.read(0) { try container.integer("idle_timeout_seconds", default: 60, in: 2...7_200) }
        if pingIntervalSeconds > 0, idleTimeoutSeconds > 0, idleTimeoutSeconds <= pingIntervalSeconds {
            check.note(PluginError(key: "idle_timeout_seconds", "idle_timeout_seconds (\(idleTimeoutSeconds)) must be longer than ping_interval_seconds (\(pingIntervalSeconds)): a client gets that long to answer a ping"))
        }
        permessageDeflate = check.read(false) { try container.flag("permessage_deflate", default: false) }
        servesDashboard = check.read(true) { try container.flag("dashboard", default: true) }
        try check.finish()
    }

    /// Whether handshakes must present a token.
    var requiresToken: Bool { tokensFile != nil || hmacSecretFile != nil }
}
