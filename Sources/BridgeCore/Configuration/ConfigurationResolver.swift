import BridgePluginKit
import Foundation

/// Merges configuration layers (flags > environment > file > defaults) and validates the
/// result, reporting every problem with the key that causes it.
public enum ConfigurationResolver {
    public static let defaultJournalSize = 100_000
    public static let defaultStateDirectory = "/var/lib/unicat-bridge"

    public static func resolve(flags: ConfigurationLayer, environment: ConfigurationLayer,
                               file: ConfigurationLayer?) throws -> BridgeConfiguration {
        let (configuration, issues) = check(flags: flags, environment: environment, file: file)
        guard let configuration else { throw ConfigurationError(issues: issues) }
        return configuration
    }

    /// The settings, or nil and every problem with them. A problem with a value that came
    /// from the file carries its file and line.
    public static func check(flags: ConfigurationLayer, environment: ConfigurationLayer,
                             file: ConfigurationLayer?) -> (BridgeConfiguration?, [ConfigurationError.Issue]) {
        let file = file ?? ConfigurationLayer()
        func pick<T>(_ keyPath: KeyPath<ConfigurationLayer, T?>) -> T? {
            flags[keyPath: keyPath] ?? environment[keyPath: keyPath] ?? file[keyPath: keyPath]
        }
        var issues: [ConfigurationError.Issue] = []
        /// `keyPath`: the setting the message is about, so that the file's line is named
        /// when the value came from there.
        func fail<T>(_ key: String, _ message: String, _ keyPath: KeyPath<ConfigurationLayer, T?>) {
            let fromFile = flags[keyPath: keyPath] == nil && environment[keyPath: keyPath] == nil && file[keyPath: keyPath] != nil
            issues.append(.init(key: key, message: message, location: fromFile ? file.locations[key] : nil))
        }

        let kindName = (pick(\.kind) ?? UpstreamKind.unicat.rawValue).lowercased()
        let kind = UpstreamKind(rawValue: kindName) ?? .unicat
        if UpstreamKind(rawValue: kindName) == nil {
            fail("upstream.kind", "must be one of \(UpstreamKind.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(kindName)\"", \.kind)
        }

        var baseURL = pick(\.url) ?? ""
        while baseURL.hasSuffix("/") { baseURL.removeLast() }
        if baseURL.isEmpty {
            fail("upstream.url", "is required (or set UNICAT_URL)", \.url)
        } else if let url = URL(string: baseURL), let scheme = url.scheme?.lowercased(),
                  scheme == "http" || scheme == "https", url.host?.isEmpty == false, url.query == nil {
            // Valid.
        } else {
            fail("upstream.url", "must be an http:// or https:// URL without query, got \"\(baseURL)\"", \.url)
        }

        let project = pick(\.project) ?? ""
        if project.isEmpty {
            fail("upstream.project", "is required (or set UNICAT_PROJECT)", \.project)
        } else if UUID(uuidString: project) == nil {
            fail("upstream.project", "must be a project gid (a UUID), got \"\(project)\"", \.project)
        }

        // The secret's source follows the same precedence; a direct value only comes from
        // the environment.
        var keySource: SecretSource?
        var email: String?
        switch kind {
        case .unicat:
            if let file = flags.apiKeyFile { keySource = .file(path: file) }
            else if let variable = flags.apiKeyEnv { keySource = .environment(variable: variable) }
            else if let value = environment.apiKey { keySource = .value(value) }
            else if let file = environment.apiKeyFile { keySource = .file(path: file) }
            else if let file = file.apiKeyFile { keySource = .file(path: file) }
            else if let variable = file.apiKeyEnv { keySource = .environment(variable: variable) }
            if keySource == nil {
                fail("upstream.api_key_env", "no API key source: set upstream.api_key_env or upstream.api_key_file, or UNICAT_API_KEY / UNICAT_API_KEY_FILE", \.apiKeyEnv)
            }
        case .zou:
            if let value = environment.password { keySource = .value(value) }
            else if let file = environment.passwordFile { keySource = .file(path: file) }
            else if let file = file.passwordFile { keySource = .file(path: file) }
            else if let variable = file.passwordEnv { keySource = .environment(variable: variable) }
            if keySource == nil {
                fail("upstream.password_file", "no password source: set upstream.password_file or upstream.password_env, or ZOU_PASSWORD_FILE / ZOU_PASSWORD", \.passwordFile)
            }
            email = pick(\.email)
            if (email ?? "").isEmpty { fail("upstream.email", "is required for upstream.kind zou (or set ZOU_EMAIL)", \.email) }
        }
        let eventsURL = pick(\.eventsURL)
        if let eventsURL, URL(string: eventsURL)?.host == nil {
            fail("upstream.events_url", "must be an http:// or https:// URL, got \"\(eventsURL)\"", \.eventsURL)
        }

        let caFile = pick(\.caFile)
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            fail("upstream.ca_file", "cannot read \(caFile)", \.caFile)
        }

        let timeout = pick(\.requestTimeout) ?? 60
        if !(timeout > 0 && timeout <= 600) { fail("upstream.timeout_seconds", "must be between 0 and 600, got \(timeout)", \.requestTimeout) }

        let safetyPoll = pick(\.safetyPollSeconds) ?? 30
        if !(safetyPoll >= 1 && safetyPoll <= 3600) { fail("sync.safety_poll_seconds", "must be between 1 and 3600, got \(safetyPoll)", \.safetyPollSeconds) }

        let journalSize = pick(\.journalSize) ?? defaultJournalSize
        if !(100...10_000_000).contains(journalSize) { fail("journal_size", "must be between 100 and 10000000, got \(journalSize)", \.journalSize) }

        let logLevel = (pick(\.logLevel) ?? "info").lowercased()
        let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
        if !levels.contains(logLevel) { fail("log_level", "must be one of \(levels.joined(separator: ", ")), got \"\(logLevel)\"" + DidYouMean.hint(for: logLevel, among: levels), \.logLevel) }

        let stateDirectory = pick(\.stateDirectory) ?? defaultStateDirectory
        if stateDirectory.isEmpty { fail("state_directory", "must not be empty", \.stateDirectory) }

        guard issues.isEmpty, let keySource else { return (nil, issues) }
        let configuration = BridgeConfiguration(
            upstream: .init(baseURL: baseURL, project: project.lowercased(), secretSource: keySource, caFile: caFile,
                            requestTimeout: timeout, omitExtendedDefinitions: pick(\.omitExtendedDefinitions) ?? false,
                            kind: kind, email: email, eventsURL: eventsURL),
            sync: .init(useSocketFeed: pick(\.useSocketFeed) ?? true, safetyPollSeconds: safetyPoll),
            stateDirectory: stateDirectory,
            journalSize: journalSize,
            logLevel: logLevel,
            transports: pick(\.transports) ?? [:],
            pluginDirectory: pick(\.pluginDirectory)
        )
        return (configuration, [])
    }
}
