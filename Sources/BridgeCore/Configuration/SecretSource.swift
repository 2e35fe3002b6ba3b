import Foundation

/// Where the upstream's secret comes from: Unicat's API key, or the password of the Zou
/// account. Never inline in a config file: a config file is often world-readable and
/// committed to repositories.
public enum SecretSource: Sendable, Equatable {
    case environment(variable: String)
    case file(path: String)
    /// Given directly through an environment variable of this process (`UNICAT_API_KEY`,
    /// `ZOU_PASSWORD`).
    case value(Secret)

    public var description: String {
        switch self {
        case .environment(let variable): return "environment variable \(variable)"
        case .file(let path): return "file \(path)"
        case .value: return "the process environment"
        }
    }

    /// The settings that name the source, e.g. `upstream.api_key` (`_env`, `_file`).
    public static func setting(for kind: UpstreamKind) -> String {
        kind == .zou ? "upstream.password" : "upstream.api_key"
    }

    /// Reads the secret. A secret file must not be readable by group or others. Errors
    /// name the setting of `kind` that chose the source.
    public func load(for kind: UpstreamKind = .unicat,
                     environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Secret {
        let setting = Self.setting(for: kind)
        switch self {
        case .value(let secret):
            return secret
        case .environment(let variable):
            guard let value = environment[variable]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
                throw ConfigurationError.single(key: "\(setting)_env", "environment variable \(variable) is not set or empty")
            }
            return Secret(value)
        case .file(let path):
            var info = stat()
            guard stat(path, &info) == 0 else {
                throw ConfigurationError.single(key: "\(setting)_file", "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if info.st_mode & 0o077 != 0 {
                throw ConfigurationError.single(
                    key: "\(setting)_file",
                    "\(path) is readable by group or others (mode \(String(info.st_mode & 0o777, radix: 8))); run: chmod 600 \(path)")
            }
            guard let text = FileManager.default.contents(atPath: path).map({ String(decoding: $0, as: UTF8.self) }) else {
                throw ConfigurationError.single(key: "\(setting)_file", "cannot read \(path)")
            }
            // A password may hold spaces: only the line break an editor adds is dropped.
            let value = text.trimmingCharacters(in: .newlines)
            guard !value.isEmpty else {
                throw ConfigurationError.single(key: "\(setting)_file", "\(path) is empty")
            }
            return Secret(value)
        }
    }
}
