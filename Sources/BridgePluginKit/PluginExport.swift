import CBridgePlugin
import Locking

/// Builds the C descriptor for a plugin written in Swift. A plugin's entry point is:
///
/// ```swift
/// @c(bridge_plugin_entry) public func bridgePluginEntry() -> UnsafePointer<bridge_plugin_descriptor> {
///     PluginExport.descriptor(name: "stdio", version: "1.0.0", validate: StdioTransport.validate) { host, config in
///         try StdioTransport(host: host, configJSON: config)
///     }
/// }
/// ```
///
/// `validate` (ABI 1.2) checks a configuration without creating anything; it throws
/// `ConfigurationProblems` (or a `PluginError`) for what is wrong.
///
/// Each plugin library links its own copy of this module, so the factory and descriptor
/// below are per plugin.
public enum PluginExport {
    public typealias Factory = @Sendable (BridgeHost, String) throws -> any TransportPlugin
    public typealias Validator = @Sendable (String) throws -> Void

    private struct Registration: @unchecked Sendable {
        var factory: Factory?
        var validator: Validator?
        var descriptor: UnsafeMutablePointer<bridge_plugin_descriptor>?
    }

    private static let registration = Locked(Registration())

    public static func descriptor(name: StaticString, version: StaticString, validate: Validator? = nil,
                                  factory: @escaping Factory) -> UnsafePointer<bridge_plugin_descriptor> {
        registration.withLock { registration in
            registration.factory = factory
            registration.validator = validate
            if let existing = registration.descriptor { return UnsafePointer(existing) }
            let descriptor = UnsafeMutablePointer<bridge_plugin_descriptor>.allocate(capacity: 1)
            descriptor.initialize(to: makeDescriptor(name: name, version: version, validates: validate != nil))
            registration.descriptor = descriptor
            return UnsafePointer(descriptor)
        }
    }

    static func create(_ host: UnsafePointer<bridge_host_vtable>, config: String) throws -> any TransportPlugin {
        guard let factory = registration.withLock({ $0.factory }) else { throw PluginError("plugin has no factory") }
        HostABI.adopt(host)
        return try factory(BridgeHost(host), config)
    }

    /// The problems `validate` finds in `config`, as the ABI's "KEY\tMESSAGE" lines.
    static func problems(in config: String) -> [String] {
        guard let validator = registration.withLock({ $0.validator }) else { return [] }
        do {
            try validator(config)
            return []
        } catch {
            return ConfigurationProblems.flattening(error).map { problem in
                let message = problem.description.map { $0.isNewline || $0 == "\t" ? " " : $0 }
                return (problem.key.map { "\($0)\t" } ?? "") + String(message)
            }
        }
    }

    private static func makeDescriptor(name: StaticString, version: StaticString, validates: Bool) -> bridge_plugin_descriptor {
        var descriptor = bridge_plugin_descriptor()
        descriptor.abi_major = UInt32(BRIDGE_PLUGIN_ABI_MAJOR)
        descriptor.abi_minor = UInt32(BRIDGE_PLUGIN_ABI_MINOR)
        descriptor.struct_size = UInt32(MemoryLayout<bridge_plugin_descriptor>.size)
        descriptor.name = UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)
        descriptor.version = UnsafeRawPointer(version.utf8Start).assumingMemoryBound(to: CChar.self)
        descriptor.create = { host, config, errbuf, errlen in
            guard let host else {
                writeError("no host vtable", errbuf, errlen)
                return nil
            }
            do {
                let plugin = try PluginExport.create(host, config: config.map { String(cString: $0) } ?? "{}")
                return OpaquePointer(Unmanaged.passRetained(PluginBox(plugin)).toOpaque())
            } catch {
                writeError("\(error)", errbuf, errlen)
                return nil
            }
        }
        descriptor.start = { instance, errbuf, errlen in
            guard let box = PluginBox.from(instance) else { return 1 }
            do {
                try box.plugin.start()
                return 0
            } catch {
                writeError("\(error)", errbuf, errlen)
                return 1
            }
        }
        descriptor.stop = { instance in PluginBox.from(instance)?.plugin.stop() }
        descriptor.destroy = { instance in
            guard let instance else { return }
            Unmanaged<PluginBox>.fromOpaque(UnsafeRawPointer(instance)).release()
        }
        descriptor.send = { instance, client, bytes, length in
            guard let box = PluginBox.from(instance) else { return BRIDGE_ERR_STOPPED }
            return box.plugin.send(client, box.reusedMessage(bytes, length))
        }
        descriptor.send_many = { instance, clients, count, bytes, length, statuses in
            guard let box = PluginBox.from(instance), let clients else { return }
            box.plugin.sendMany(UnsafeBufferPointer(start: clients, count: count), box.message(bytes, length), statuses: statuses)
        }
        descriptor.send_superseding = { instance, clients, streams, count, combined, combinedLength, alone, aloneLength, statuses in
            guard let box = PluginBox.from(instance), let clients, let streams else { return }
            box.plugin.sendSuperseding(UnsafeBufferPointer(start: clients, count: count), streams: UnsafeBufferPointer(start: streams, count: count),
                                       combined: combined == nil ? nil : box.message(combined, combinedLength),
                                       alone: box.message(alone, aloneLength), statuses: statuses)
        }
        descriptor.close_client = { instance, client, bytes, length, code, reason in
            guard let box = PluginBox.from(instance) else { return }
            let final = bytes == nil ? nil : box.message(bytes, length)
            box.plugin.closeClient(client, final: final, code: code, reason: reason.map { String(cString: $0) } ?? "")
        }
        if validates {
            descriptor.validate = { config, errbuf, errlen in
                let problems = PluginExport.problems(in: config.map { String(cString: $0) } ?? "{}")
                guard !problems.isEmpty else { return 0 }
                writeError(problems.joined(separator: "\n"), errbuf, errlen)
                return 1
            }
        }
        return descriptor
    }

}

/// Copies `message` into a C error buffer, truncated and NUL-terminated.
private func writeError(_ message: String, _ buffer: UnsafeMutablePointer<CChar>?, _ length: Int) {
    guard let buffer, length > 0 else { return }
    let bytes = Array(message.utf8.prefix(length - 1))
    for (index, byte) in bytes.enumerated() { buffer[index] = CChar(bitPattern: byte) }
    buffer[bytes.count] = 0
}

/// The instance pointer handed to the host.
final class PluginBox {
    let plugin: any TransportPlugin
    let headroom: Int
    private let recent: RecentMessages

    init(_ plugin: any TransportPlugin) {
        self.plugin = plugin
        headroom = (plugin as? any HeadroomRequiring)?.messageHeadroom ?? 0
        recent = RecentMessages(headroom: headroom)
    }

    static func from(_ instance: OpaquePointer?) -> PluginBox? {
        guard let instance else { return nil }
        return Unmanaged<PluginBox>.fromOpaque(UnsafeRawPointer(instance)).takeUnretainedValue()
    }

    func message(_ bytes: UnsafePointer<UInt8>?, _ length: Int) -> SharedMessage {
        SharedMessage(bytes: UnsafeRawBufferPointer(start: bytes, count: bytes == nil ? 0 : length), headroom: headroom)
    }

    /// For one client's `send`: the copy an earlier `send` of the same bytes took, if one is
    /// still queued (`send_many` already shares one copy among its clients).
    func reusedMessage(_ bytes: UnsafePointer<UInt8>?, _ length: Int) -> SharedMessage {
        recent.message(UnsafeRawBufferPointer(start: bytes, count: bytes == nil ? 0 : length))
    }
}

/// A transport that writes frame headers in front of each message (e.g. libwebsockets
/// needs LWS_PRE bytes).
public protocol HeadroomRequiring {
    var messageHeadroom: Int { get }
}
