import BridgeCore
import Foundation

/// Everything wrong with the configuration `run` would use, found in one pass: the file,
/// the merged settings, the upstream secret's source, the state directory, and each transport
/// through its plugin.
/// `run` stops on it before anything starts, and `check-config` prints it, so that the two
/// agree on which configurations are refused and with which exit status.
struct ConfigurationReport {
    /// The settings, when the core settings are valid (the transports may still not be).
    let configuration: BridgeConfiguration?
    /// The upstream's secret (Unicat's API key, Zou's password), read from its source.
    let secret: Secret?
    /// Problems with the core settings (exit 2), then with the state directory and the
    /// transports (exit 4).
    let settingsIssues: [ConfigurationError.Issue]
    let environmentIssues: [ConfigurationError.Issue]

    init(settings: SettingsOptions, transportFlags: TransportFlags) {
        var settingsIssues: [ConfigurationError.Issue] = []
        var file: ConfigurationLayer?
        if let path = settings.config {
            let (layer, issues) = ConfigurationFile.read(path: path)
            file = layer
            settingsIssues += issues
        }
        let flags = settings.flagLayer
        let (resolved, issues) = ConfigurationResolver.check(
            flags: flags, environment: .environment(ProcessInfo.processInfo.environment), file: file)
        settingsIssues += issues
        var configuration = resolved
        var secret: Secret?
        if let upstream = configuration?.upstream {
            do {
                secret = try upstream.secretSource.load(for: upstream.kind)
            } catch let error as ConfigurationError {
                settingsIssues += error.issues
            } catch {
                settingsIssues.append(.init(key: SecretSource.setting(for: upstream.kind), message: "\(error)", location: nil))
            }
        }
        let transports = transportFlags.applied(to: configuration?.transports ?? file?.transports ?? [:])
        configuration?.transports = transports
        let pluginDirectory = configuration?.pluginDirectory ?? flags.pluginDirectory ?? file?.pluginDirectory
            ?? PluginHost.defaultPluginDirectory
        let locations = file?.locations ?? [:]
        self.configuration = configuration
        self.secret = secret
        self.settingsIssues = settingsIssues.map { $0.located(in: locations) }
        let store = configuration.flatMap { BridgeStore.directoryProblem($0.stateDirectory) }
            .map { ConfigurationError.Issue(key: "state_directory", message: $0, location: nil) }
        environmentIssues = ((store.map { [$0] } ?? [])
            + TransportCheck.issues(transports: transports, pluginDirectory: pluginDirectory))
            .map { $0.located(in: locations) }
    }

    var issues: [ConfigurationError.Issue] { settingsIssues + environmentIssues }

    /// The status `run` ends with for this configuration, nil when it would start.
    var exitStatus: Int32? {
        if !settingsIssues.isEmpty { return ExitStatus.configuration }
        if !environmentIssues.isEmpty { return ExitStatus.environment }
        return nil
    }

    /// Prints every problem, one `unicat-bridge: error:` line each: those from the file
    /// in the file's order, then the others.
    func printIssues() {
        func line(_ issue: ConfigurationError.Issue) -> Int {
            issue.location.flatMap { $0.split(separator: ":").last.flatMap { Int($0) } } ?? Int.max
        }
        let ordered = issues.enumerated().sorted { (line($0.element), $0.offset) < (line($1.element), $1.offset) }
        for (_, issue) in ordered { Diagnostics.error(issue.description) }
    }
}
