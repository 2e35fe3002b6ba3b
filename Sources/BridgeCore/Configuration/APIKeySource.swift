import Foundation

/// Where the Unicat API key comes from. Never inline in a config file: a config file is
/// often world-readable and committed to repositories.
public enum APIKeySource: Sendable, Equatable {
    case environment(variable: String)
    case file(path: String)
    /// Given directly through the environment variable `UNICAT_API_KEY` of this process.
    case value(Secret)

    public var description: String {
        switch self {
        case .environment(let variable): return "environment variable \(variable)"
        case .file(let path): return "file \(path)"
        case .value: return "environment variable UNICAT_API_KEY"
        }
    }

    /// Reads the key. A key file must not be readable by group or others.
    public func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Secret {
        switch self {
        case .value(let secret):
            return secret
        case .environment(let variable):
            guard let value = environment[variable]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
                throw ConfigurationError.single(key: "upstream.api_key_env", "environment variable \(variable) is not set or empty")
            }
            return Secret(value)
        case .file(let path):
            var info = stat()
            guard stat(path, &info) == 0 else {
                throw ConfigurationError.single(key: "upstream.api_key_file", "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if info.st_mode & 0o077 != 0 {
                throw ConfigurationError.single(
                    key: "upstream.api_key_file",
                    "\(path) is readable by group or others (mode \(String(info.st_mode & 0o777, radix: 8))); run: chmod 600 \(path)")
            }
            guard let text = FileManager.default.contents(atPath: path).map({ String(decoding: $0, as: UTF8.self) }) else {
                throw ConfigurationError.single(key: "upstream.api_key_file", "cannot read \(path)")
            }
            let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !value.isEmpty else {
                throw ConfigurationError.single(key: "upstream.api_key_file", "\(path) is empty")
            }
            return Secret(value)
        }
    }
}
