/// Every problem found in a configuration section, each a `PluginError` naming its key:
/// a configuration is read to the end, so that one pass reports all that is wrong.
public struct ConfigurationProblems: Error, CustomStringConvertible, Sendable {
    public let problems: [PluginError]

    public init(_ problems: [PluginError]) { self.problems = problems }

    public var description: String { problems.map(\.description).joined(separator: "\n") }

    /// The problems an error stands for: its own list, or the error as one problem.
    public static func flattening(_ error: any Error) -> [PluginError] {
        switch error {
        case let problems as ConfigurationProblems: problems.problems
        case let problem as PluginError: [problem]
        default: [PluginError("\(error)")]
        }
    }
}
