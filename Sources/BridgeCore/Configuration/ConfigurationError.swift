/// Everything wrong with a configuration, each naming the offending key.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public struct Issue: Sendable, Equatable {
        /// Dotted key path, e.g. `upstream.url`.
        public let key: String
        public let message: String
        /// `file:line` when the value came from the config file.
        public let location: String?

        public init(key: String, message: String, location: String?) {
            self.key = key
            self.message = message
            self.location = location
        }

        /// The issue with the location of its key, or of the nearest enclosing key, in
        /// `locations` (a file layer's), unless it has one.
        public func located(in locations: [String: String]) -> Issue {
            guard location == nil else { return self }
            var path = Substring(key)
            while !path.isEmpty {
                if let found = locations[String(path)] { return Issue(key: key, message: message, location: found) }
                guard let dot = path.lastIndex(of: ".") else { break }
                path = path[..<dot]
            }
            return self
        }

        /// `file:line: key: message`
        public var description: String {
            (location.map { "\($0): " } ?? "") + "\(key): \(message)"
        }
    }

    public let issues: [Issue]

    public init(issues: [Issue]) { self.issues = issues }

    public static func single(key: String, _ message: String) -> ConfigurationError {
        ConfigurationError(issues: [Issue(key: key, message: message, location: nil)])
    }

    public var description: String {
        issues.map(\.description).joined(separator: "\n")
    }
}
