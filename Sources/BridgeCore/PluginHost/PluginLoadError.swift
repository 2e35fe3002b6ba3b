/// Why a transport plugin could not be used; each names the plugin and what to do.
public struct PluginLoadError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
