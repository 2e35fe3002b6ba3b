import ArgumentParser
import BridgeCore
import Foundation

/// The flags every command that needs the bridge's configuration shares. Flags win over
/// the environment, which wins over the file.
struct SettingsOptions: ParsableArguments {
    @Option(name: .long, help: "Configuration file (YAML).")
    var config: String?

    @Option(name: .long, help: "Unicat base URL, e.g. https://unicat.app (env UNICAT_URL).")
    var url: String?

    @Option(name: .long, help: "Project gid (env UNICAT_PROJECT).")
    var project: String?

    @Option(name: .long, help: "File holding the API key, mode 0600 (env UNICAT_API_KEY_FILE).")
    var apiKeyFile: String?

    @Option(name: .long, help: "CA bundle (PEM) to verify Unicat's TLS certificate (env UNICAT_CA_FILE).")
    var caFile: String?

    @Option(name: .long, help: "State directory for the mirror and journal (env UNICAT_BRIDGE_STATE_DIR).")
    var stateDir: String?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical (env UNICAT_BRIDGE_LOG_LEVEL).")
    var logLevel: String?

    @Option(name: .long, help: "Directory of the transport plugins (default: beside the binary).")
    var pluginDir: String?

    /// The settings given as flags.
    var flagLayer: ConfigurationLayer {
        var flags = ConfigurationLayer()
        flags.url = url
        flags.project = project
        flags.apiKeyFile = apiKeyFile
        flags.caFile = caFile
        flags.stateDirectory = stateDir
        flags.logLevel = logLevel
        flags.pluginDirectory = pluginDir
        return flags
    }
}
