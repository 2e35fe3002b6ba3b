import BridgePluginKit

extension StdioTransport {
    /// What `create` would refuse in a configuration (ABI 1.2 `validate`).
    static func validate(_ configJSON: String) throws {
        _ = try PluginConfiguration.decode(StdioConfiguration.self, from: configJSON)
    }
}
