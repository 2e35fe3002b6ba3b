/// One source of settings (flags, environment or file); every field optional so layers
/// can be merged with precedence flags > environment > file > defaults.
public struct ConfigurationLayer: Sendable {
    public var kind: String?
    public var email: String?
    public var eventsURL: String?
    public var password: Secret?
    public var passwordEnv: String?
    public var passwordFile: String?
    public var url: String?
    public var project: String?
    public var apiKey: Secret?
    public var apiKeyEnv: String?
    public var apiKeyFile: String?
    public var caFile: String?
    public var requestTimeout: Double?
    public var omitExtendedDefinitions: Bool?
    public var useSocketFeed: Bool?
    public var safetyPollSeconds: Double?
    public var stateDirectory: String?
    public var journalSize: Int?
    public var logLevel: String?
    public var pluginDirectory: String?
    public var transports: [String: JSONValue]?
    /// Where each key was set, "file:line" by dotted key path (`transports.unix.mode`):
    /// only the file layer has them.
    public var locations: [String: String] = [:]

    public init() {}

    /// The settings a first run needs, from the process environment.
    public static func environment(_ environment: [String: String]) -> ConfigurationLayer {
        var layer = ConfigurationLayer()
        func value(_ name: String) -> String? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            return text
        }
        layer.url = value("UNICAT_URL")
        layer.project = value("UNICAT_PROJECT")
        layer.apiKey = value("UNICAT_API_KEY").map(Secret.init)
        layer.apiKeyFile = value("UNICAT_API_KEY_FILE")
        layer.caFile = value("UNICAT_CA_FILE")
        layer.password = value("ZOU_PASSWORD").map(Secret.init)
        layer.passwordFile = value("ZOU_PASSWORD_FILE")
        layer.email = value("ZOU_EMAIL")
        layer.stateDirectory = value("UNICAT_BRIDGE_STATE_DIR")
        layer.logLevel = value("UNICAT_BRIDGE_LOG_LEVEL")
        return layer
    }
}
