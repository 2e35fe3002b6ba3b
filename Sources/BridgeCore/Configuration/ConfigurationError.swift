/// Everything wrong with a configuration, each naming the offending key.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public struct Issue: Sendable, Equatable {
        /// Dotted key path, e.g. `upstream.url`.
        public let key: String
        public let message: String
        /// `file:line` when the value came from the config file.
        public let location: String?
    }

    public let issues: [Issue]

    public init(issues: [Issue]) { self.issues = issues }

    public static func single(key: String, _ message: String) -> ConfigurationError {
        ConfigurationError(issues: [Issue(key: key, message: message, location: nil)])
    }

    public var description: String {
        issues.map { issue in
            (issue.location.map { "\($0): " } ?? "") + "\(issue.key): \(issue.message)"
        }.joined(separator: "\n")
    }
}
