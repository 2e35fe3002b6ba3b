/// Collects problems while a configuration is read: each read that fails is noted and
/// reading goes on with a fallback value; `finish()` throws them all together.
public struct ConfigurationCheck: Sendable {
    public private(set) var problems: [PluginError] = []

    public init() {}

    /// What `read` returns, or `fallback` once its failure is noted.
    public mutating func read<T>(_ fallback: T, _ read: () throws -> T) -> T {
        do {
            return try read()
        } catch {
            problems += ConfigurationProblems.flattening(error)
            return fallback
        }
    }

    /// `read(fallback, read)`, its problems that name no key put down to `key`.
    public mutating func read<T>(_ fallback: T, key: String, _ read: () throws -> T) -> T {
        do {
            return try read()
        } catch {
            problems += ConfigurationProblems.flattening(error).map { $0.key == nil ? PluginError(key: key, $0.description) : $0 }
            return fallback
        }
    }

    /// Runs `step`, noting its failure.
    public mutating func run(_ step: () throws -> Void) {
        read((), step)
    }

    public mutating func note(_ problem: PluginError) { problems.append(problem) }

    public func finish() throws {
        if !problems.isEmpty { throw ConfigurationProblems(problems) }
    }
}
