import BridgePluginKit

/// The value kinds of the WebSocket configuration that `BridgePluginKit` has no reader
/// for, with messages naming the key.
extension KeyedDecodingContainer where Key == ConfigurationKey {
    func string(_ name: String) throws -> String? {
        let key = ConfigurationKey(name)
        guard contains(key) else { return nil }
        guard let value = try? decode(String.self, forKey: key), !value.isEmpty else {
            throw PluginError(key: keyPath(name), "configuration key \"\(name)\" must be a non-empty string")
        }
        return value
    }

    func strings(_ name: String) throws -> [String]? {
        let key = ConfigurationKey(name)
        guard contains(key) else { return nil }
        guard let value = try? decode([String].self, forKey: key) else {
            throw PluginError(key: keyPath(name), "configuration key \"\(name)\" must be a list of strings")
        }
        return value
    }

    func flag(_ name: String, default value: Bool) throws -> Bool {
        let key = ConfigurationKey(name)
        guard contains(key) else { return value }
        guard let decoded = try? decode(Bool.self, forKey: key) else {
            throw PluginError(key: keyPath(name), "configuration key \"\(name)\" must be true or false")
        }
        return decoded
    }
}
