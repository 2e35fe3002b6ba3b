/// Why a transport plugin could not be used; each names the plugin and what to do. A
/// configuration the host or the plugin refuses carries each problem with its key.
public struct PluginLoadError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public let issues: [ConfigurationError.Issue]

    public init(_ description: String) {
        self.description = description
        issues = []
    }

    public init(issues: [ConfigurationError.Issue]) {
        description = ConfigurationError(issues: issues).description
        self.issues = issues
    }
}
