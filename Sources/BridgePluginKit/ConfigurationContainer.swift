/// Reading a plugin's configuration object key by key, with defaults, range checks and
/// messages that name the key (decoding errors from JSONDecoder are hard to read).
extension KeyedDecodingContainer where Key == ConfigurationKey {
    /// Throws naming every key present that is not in `allowed`, each with the known key it
    /// was likely meant to be.
    public func rejectUnknownKeys(allowed: Set<String>) throws {
        let unknown = allKeys.map(\.stringValue).filter { !allowed.contains($0) }.sorted()
        guard !unknown.isEmpty else { return }
        throw ConfigurationProblems(unknown.map { name in
            let hint = DidYouMean.closest(to: name, among: allowed).map { "did you mean \"\($0)\"?" }
                ?? "known keys: \(allowed.sorted().joined(separator: ", "))"
            return PluginError(key: keyPath(name), "unknown configuration key \"\(name)\" (\(hint))")
        })
    }

    /// The dotted path of `name` inside the section, from this container's coding path.
    public func keyPath(_ name: String) -> String {
        (codingPath.map(\.stringValue) + [name]).joined(separator: ".")
    }

    public func integer(_ name: String, default value: Int, in range: ClosedRange<Int>) throws -> Int {
        let key = ConfigurationKey(name)
        guard contains(key) else { return value }
        guard let decoded = try? decode(Int.self, forKey: key), range.contains(decoded) else {
            let bounds = range.upperBound == Int.max ? "≥ \(range.lowerBound)" : "from \(range.lowerBound) to \(range.upperBound)"
            throw PluginError(key: keyPath(name), "configuration key \"\(name)\" must be an integer \(bounds)")
        }
        return decoded
    }

    public func number(_ name: String, default value: Double, in range: ClosedRange<Double>) throws -> Double {
        let key = ConfigurationKey(name)
        guard contains(key) else { return value }
        guard let decoded = try? decode(Double.self, forKey: key), range.contains(decoded) else {
            throw PluginError(key: keyPath(name), "configuration key \"\(name)\" must be a number from \(range.lowerBound) to \(range.upperBound)")
        }
        return decoded
    }
}
