import BridgePluginKit

extension WebSocketTransport {
    /// What `create` would refuse in a configuration, its TLS and token files read and
    /// checked as well (ABI 1.2 `validate`). Listening is left to `start`.
    static func validate(_ configJSON: String) throws {
        _ = try PluginConfiguration.decode(WebSocketConfiguration.self, from: configJSON)
    }
}
