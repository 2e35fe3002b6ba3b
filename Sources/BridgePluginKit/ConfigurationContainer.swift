/// Reading a plugin's configuration object key by key, with defaults, range checks and
/// messages that name the key (decoding errors from JSONDecoder are hard to read).
extension KeyedDecodingContainer where Key == ConfigurationKey {
    /// Throws naming every key present that is not in `allowed`.
    public func rejectUnknownKeys(allowed: Set<String>) throws {
        let unknown = allKeys.map(\.stringValue).filter { !allowed.contains($0) }.sorted()
        guard !unknown.isEmpty else { return }
        let names = unknown.map { "\"\($0)\"" }.joined(separator: ", ")
        throw PluginError("unknown configuration key\(unknown.count > 1 ? "s" : "") \(names) (known keys: \(allowed.sorted().joined(separator: ", ")))")
    }

    public func integer(_ name: String, default value: Int, in range: ClosedRange<Int>) throws -> Int {
        let key = ConfigurationKey(name)
        guard contains(key) else { return value }
        guard let decoded = try? decode(Int.self, forKey: key), range.contains(decoded) else {
            let bounds = range.upperBound == Int.max ? "≥ \(range.lowerBound)" : "from \(range.lowerBound) to \(range.upperBound)"
            throw PluginError("configuration key \"\(name)\" must be an integer \(bounds)")
        }
        return decoded
    }

    public func number(_ name: String, default value: Double, in range: ClosedRange<Double>) throws -> Double {
        let key = ConfigurationKey(name)
        guard contains(key) else { return value }
        guard let decoded = try? decode(Double.self, forKey: key), range.contains(decoded) else {
            throw PluginError("configuration key \"\(name)\" must be a number from \(range.lowerBound) to \(range.upperBound)")
        }
        return decoded
    }
}
