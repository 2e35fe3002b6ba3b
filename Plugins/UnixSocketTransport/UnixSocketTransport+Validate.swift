import BridgePluginKit

extension UnixSocketTransport {
    /// What `create` would refuse in a configuration, and what `start` would refuse about
    /// the socket's directory or path, without creating or binding anything (ABI 1.2
    /// `validate`). A live socket of another process is only found by `start`.
    static func validate(_ configJSON: String) throws {
        let configuration = try PluginConfiguration.decode(UnixSocketConfiguration.self, from: configJSON)
        guard try SocketActivation.inheritedListener() == nil else { return }
        do {
            try UnixListener.check(configuration)
        } catch let error as PluginError {
            throw PluginError(key: "path", error.description)
        }
    }
}
