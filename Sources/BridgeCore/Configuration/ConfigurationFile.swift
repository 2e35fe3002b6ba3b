import BridgePluginKit
import Foundation
import Yams

/// Reads a YAML config file into a `ConfigurationLayer`, reporting unknown keys and wrong
/// types with their key path and line.
public enum ConfigurationFile {
    public static func load(path: String) throws -> ConfigurationLayer {
        let (layer, issues) = read(path: path)
        if !issues.isEmpty { throw ConfigurationError(issues: issues) }
        return layer
    }

    public static func parse(_ text: String, name: String) throws -> ConfigurationLayer {
        let (layer, issues) = read(text, name: name)
        if !issues.isEmpty { throw ConfigurationError(issues: issues) }
        return layer
    }

    /// The settings the file holds, and every problem found in it (the layer then holds
    /// the keys that were readable), so that a check reports everything at once.
    public static func read(path: String) -> (layer: ConfigurationLayer, issues: [ConfigurationError.Issue]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            return (ConfigurationLayer(), [.init(key: "--config", message: "cannot read \(path)", location: nil)])
        }
        return read(String(decoding: data, as: UTF8.self), name: path)
    }

    public static func read(_ text: String, name: String) -> (layer: ConfigurationLayer, issues: [ConfigurationError.Issue]) {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            return (ConfigurationLayer(), [.init(key: "(file)", message: "not valid YAML: \(error)", location: name)])
        }
        let reader = Reader(file: name)
        var layer = ConfigurationLayer()
        guard let root else { return (layer, []) }
        reader.mapping(root, path: "") { key, value, path in
            switch key {
            case "upstream":
                reader.mapping(value, path: path) { key, value, path in
                    switch key {
                    case "kind": layer.kind = reader.string(value, path)
                    case "email": layer.email = reader.string(value, path)
                    case "events_url": layer.eventsURL = reader.string(value, path)
                    case "password_env": layer.passwordEnv = reader.string(value, path)
                    case "password_file": layer.passwordFile = reader.string(value, path)
                    case "password":
                        reader.issue(path, value, "inline passwords are refused (config files are often readable by others); use upstream.password_env or upstream.password_file")
                    case "url": layer.url = reader.string(value, path)
                    case "project": layer.project = reader.string(value, path)
                    case "api_key_env": layer.apiKeyEnv = reader.string(value, path)
                    case "api_key_file": layer.apiKeyFile = reader.string(value, path)
                    case "ca_file": layer.caFile = reader.string(value, path)
                    case "timeout_seconds": layer.requestTimeout = reader.number(value, path)
                    case "omit_extended_definitions": layer.omitExtendedDefinitions = reader.bool(value, path)
                    case "api_key":
                        reader.issue(path, value, "inline API keys are refused (config files are often readable by others); use upstream.api_key_env or upstream.api_key_file")
                    default: return false
                    }
                    return true
                }
            case "sync":
                reader.mapping(value, path: path) { key, value, path in
                    switch key {
                    case "socket_feed": layer.useSocketFeed = reader.bool(value, path)
                    case "safety_poll_seconds": layer.safetyPollSeconds = reader.number(value, path)
                    default: return false
                    }
                    return true
                }
            case "state_directory": layer.stateDirectory = reader.string(value, path)
            case "journal_size": layer.journalSize = reader.integer(value, path)
            case "log_level": layer.logLevel = reader.string(value, path)
            case "plugin_directory": layer.pluginDirectory = reader.string(value, path)
            case "transports":
                var transports: [String: JSONValue] = [:]
                reader.mapping(value, path: path) { key, value, path in
                    guard case .mapping = value else {
                        reader.issue(path, value, "must be a mapping of the transport's settings")
                        return true
                    }
                    transports[key] = reader.json(value, path: path)
                    return true
                }
                layer.transports = transports
            default: return false
            }
            return true
        }
        layer.locations = reader.locations
        return (layer, reader.issues)
    }

    /// The keys of the file's top level and sections, for suggestions.
    static let knownKeys: [String: [String]] = [
        "": ["upstream", "sync", "state_directory", "journal_size", "log_level", "plugin_directory", "transports"],
        "upstream": ["url", "project", "api_key_env", "api_key_file", "ca_file", "timeout_seconds", "omit_extended_definitions"],
        "sync": ["socket_feed", "safety_poll_seconds"],
    ]

    /// Walks YAML nodes, collecting issues instead of stopping at the first.
    private final class Reader {
        let file: String
        init(file: String) { self.file = file }
        var issues: [ConfigurationError.Issue] = []
        var locations: [String: String] = [:]

        func issue(_ path: String, _ node: Node, _ message: String) {
            issues.append(.init(key: path, message: message, location: location(of: node)))
        }

        func location(of node: Node) -> String {
            node.mark.map { "\(file):\($0.line)" } ?? file
        }

        /// Calls `handle` for each entry; `handle` returns false for an unknown key.
        func mapping(_ node: Node, path: String, _ handle: (String, Node, String) -> Bool) {
            guard case .mapping(let mapping) = node else {
                issue(path.isEmpty ? "(root)" : path, node, "must be a mapping")
                return
            }
            for (keyNode, value) in mapping {
                let key = keyNode.string ?? "\(keyNode)"
                // An empty key (`: x`, or an anchor alone) is still named in messages.
                let name = key.isEmpty ? "\"\"" : key
                let childPath = path.isEmpty ? name : "\(path).\(name)"
                locations[childPath] = location(of: keyNode)
                if !handle(key, value, childPath) {
                    let known = ConfigurationFile.knownKeys[path] ?? []
                    issue(childPath, keyNode, "unknown key" + DidYouMean.hint(for: key, among: known))
                }
            }
        }

        func string(_ node: Node, _ path: String) -> String? {
            guard case .scalar(let scalar) = node, node.tag.rawValue != Tag.Name.null.rawValue, node.tag.rawValue != Tag.Name.bool.rawValue else {
                issue(path, node, "must be a string")
                return nil
            }
            return scalar.string
        }

        func bool(_ node: Node, _ path: String) -> Bool? {
            guard let value = node.bool else {
                issue(path, node, "must be true or false")
                return nil
            }
            return value
        }

        func integer(_ node: Node, _ path: String) -> Int? {
            guard let value = node.int else {
                issue(path, node, "must be a whole number")
                return nil
            }
            return value
        }

        func number(_ node: Node, _ path: String) -> Double? {
            guard let value = node.float ?? node.int.map(Double.init) else {
                issue(path, node, "must be a number")
                return nil
            }
            return value
        }

        /// The node as JSON, noting where each key inside it is (`path` is the node's own).
        func json(_ node: Node, path: String) -> JSONValue {
            switch node {
            case .mapping(let mapping):
                var members: [String: JSONValue] = [:]
                for (key, value) in mapping {
                    let name = key.string ?? "\(key)"
                    locations["\(path).\(name)"] = location(of: key)
                    members[name] = json(value, path: "\(path).\(name)")
                }
                return .object(members)
            case .sequence(let sequence):
                return .array(sequence.map { json($0, path: path) })
            case .scalar(let scalar):
                if node.null != nil { return .null }
                if let flag = node.bool, node.tag.rawValue == Tag.Name.bool.rawValue { return .bool(flag) }
                if let number = node.int, node.tag.rawValue == Tag.Name.int.rawValue { return .int(Int64(number)) }
                if let number = node.float, node.tag.rawValue == Tag.Name.float.rawValue { return .double(number) }
                return .string(scalar.string)
            case .alias:
                return .null
            }
        }
    }
}
