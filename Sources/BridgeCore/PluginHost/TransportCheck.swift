import CBridgePlugin
import Foundation

/// Checks the `transports` sections as the start of `run` would, without starting
/// anything: the host's own keys, that each plugin loads, and each plugin's verdict on its
/// section (its `validate`, ABI 1.2, or for older plugins `create` then `destroy`).
public enum TransportCheck {
    /// Every problem found, each with its dotted key (`transports.websocket.listen`).
    public static func issues(transports: [String: JSONValue], pluginDirectory: String) -> [ConfigurationError.Issue] {
        transports.keys.sorted().flatMap { name in
            issues(name: name, section: transports[name] ?? .object([:]), pluginDirectory: pluginDirectory)
        }
    }

    private static func issues(name: String, section: JSONValue, pluginDirectory: String) -> [ConfigurationError.Issue] {
        let prefix = "transports.\(name)"
        let settings = TransportSettings(name: name, section: section, pluginDirectory: pluginDirectory)
        guard let path = settings.library else { return settings.issues }
        let library: PluginLibrary
        do {
            library = try PluginLibrary(path: path)
        } catch {
            let key = section["library"] == nil ? prefix : "\(prefix).library"
            return settings.issues + [.init(key: key, message: "\(error)", location: nil)]
        }
        let problems = verdict(of: library, on: settings.pluginConfig.encodedString())
        return settings.issues + problems.map { problem in
            .init(key: problem.key.map { "\(prefix).\($0)" } ?? prefix, message: problem.message, location: nil)
        }
    }

    /// The plugin's problems with `configJSON`, each with its key inside the section if
    /// the plugin gave one.
    private static func verdict(of library: PluginLibrary, on configJSON: String) -> [(key: String?, message: String)] {
        var buffer = [CChar](repeating: 0, count: 16 * 1024)
        if let validate = library.validate {
            guard configJSON.withCString({ validate($0, &buffer, buffer.count) }) != 0 else { return [] }
            let lines = text(buffer).split(separator: "\n").map { line -> (key: String?, message: String) in
                guard let tab = line.firstIndex(of: "\t") else { return (nil, String(line)) }
                return (String(line[..<tab]), String(line[line.index(after: tab)...]))
            }
            return lines.isEmpty ? [(nil, "refused its configuration (no reason given)")] : lines
        }
        guard let create = library.descriptor.pointee.create, let destroy = library.descriptor.pointee.destroy else {
            return [(nil, "the plugin has no create function")]
        }
        let vtable = CheckingVTable()
        guard let instance = configJSON.withCString({ create(vtable.pointer, $0, &buffer, buffer.count) }) else {
            let reason = text(buffer)
            return [(nil, "refused its configuration: \(reason.isEmpty ? "no reason given" : reason)")]
        }
        destroy(instance)
        return []
    }

    private static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
