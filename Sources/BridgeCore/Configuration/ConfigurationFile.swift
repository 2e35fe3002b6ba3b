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
            if let section = sections[key] {
                reader.mapping(value, path: path) { key, value, path in
                    guard let setting = section[key] else { return false }
                    setting(reader, value, path, &layer)
                    return true
                }
                return true
            }
            guard key == "transports" else {
                guard let setting = topLevel[key] else { return false }
                setting(reader, value, path, &layer)
                return true
            }
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
            return true
        }
        layer.locations = reader.locations
        return (layer, reader.issues)
    }

    /// Reads one setting into the layer (or reports why it cannot).
    private typealias Setting = @Sendable (Reader, Node, String, inout ConfigurationLayer) -> Void

    /// The top level's settings; `transports` is read apart (each section goes to its plugin).
    private static let topLevel: [String: Setting] = [
        "state_directory": { $3.stateDirectory = $0.string($1, $2) },
        "journal_size": { $3.journalSize = $0.integer($1, $2) },
        "log_level": { $3.logLevel = $0.string($1, $2) },
        "plugin_directory": { $3.pluginDirectory = $0.string($1, $2) },
    ]

    /// The sections' settings: what they read is also what a typo is matched against.
    private static let sections: [String: [String: Setting]] = [
        "upstream": [
            "kind": { $3.kind = $0.string($1, $2) },
            "url": { $3.url = $0.string($1, $2) },
            "project": { $3.project = $0.string($1, $2) },
            "api_key_env": { $3.apiKeyEnv = $0.string($1, $2) },
            "api_key_file": { $3.apiKeyFile = $0.string($1, $2) },
            "api_key": { reader, node, path, _ in
                reader.issue(path, node, "inline API keys are refused (config files are often readable by others); use upstream.api_key_env or upstream.api_key_file")
            },
            "email": { $3.email = $0.string($1, $2) },
            "events_url": { $3.eventsURL = $0.string($1, $2) },
            "password_env": { $3.passwordEnv = $0.string($1, $2) },
            "password_file": { $3.passwordFile = $0.string($1, $2) },
            "password": { reader, node, path, _ in
                reader.issue(path, node, "inline passwords are refused (config files are often readable by others); use upstream.password_env or upstream.password_file")
            },
            "ca_file": { $3.caFile = $0.string($1, $2) },
            "timeout_seconds": { $3.requestTimeout = $0.number($1, $2) },
            "omit_extended_definitions": { $3.omitExtendedDefinitions = $0.bool($1, $2) },
        ],
        "sync": [
            "socket_feed": { $3.useSocketFeed = $0.bool($1, $2) },
            "safety_poll_seconds": { $3.safetyPollSeconds = $0.number($1, $2) },
        ],
    ]

    /// The keys of the file's top level and sections, for suggestions.
    static let knownKeys: [String: [String]] = sections.mapValues { Array($0.keys).sorted() }
        .merging(["": (Array(topLevel.keys) + Array(sections.keys) + ["transports"]).sorted()]) { $1 }

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
