import CBridgePlugin
import Foundation

/// A transport plugin's shared library: opened with `dlopen`, its one entry symbol
/// resolved, and its descriptor's ABI version and size checked before anything is called.
struct PluginLibrary: @unchecked Sendable {
    let path: String
    let descriptor: UnsafePointer<bridge_plugin_descriptor>
    /// The plugin's `send_superseding` (ABI 1.3), when its descriptor has one: looked up once,
    /// as fan-out asks for it with every notification.
    let sendSuperseding: SendSuperseding?

    var name: String { String(cString: descriptor.pointee.name) }
    var version: String { String(cString: descriptor.pointee.version) }

    init(path: String) throws {
        self.path = path
        guard FileManager.default.fileExists(atPath: path) else {
            throw PluginLoadError("transport plugin \(path) does not exist (set plugin_directory, or install the plugins beside the binary)")
        }
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            throw PluginLoadError("cannot load \(path): \(dlerror().map { String(cString: $0) } ?? "unknown error")")
        }
        guard let symbol = dlsym(handle, BRIDGE_PLUGIN_ENTRY_SYMBOL) else {
            throw PluginLoadError("\(path) is not a unicat-bridge plugin: it does not export \(BRIDGE_PLUGIN_ENTRY_SYMBOL)")
        }
        let entry = unsafeBitCast(symbol, to: (@convention(c) () -> UnsafePointer<bridge_plugin_descriptor>?).self)
        guard let descriptor = entry() else {
            throw PluginLoadError("\(path): \(BRIDGE_PLUGIN_ENTRY_SYMBOL) returned no descriptor")
        }
        try Self.check(descriptor, path: path)
        self.descriptor = descriptor
        let end = MemoryLayout<bridge_plugin_descriptor>.offset(of: \.send_superseding).map { $0 + MemoryLayout<UnsafeRawPointer>.size }
        let offered = descriptor.pointee.abi_minor >= 3 && end.map { Int(descriptor.pointee.struct_size) >= $0 } == true
        sendSuperseding = offered ? descriptor.pointee.send_superseding : nil
    }

    /// The plugin's `validate` (ABI 1.2), when its descriptor has one.
    var validate: (@convention(c) (UnsafePointer<CChar>?, UnsafeMutablePointer<CChar>?, Int) -> Int32)? {
        let end = MemoryLayout<bridge_plugin_descriptor>.offset(of: \.validate).map { $0 + MemoryLayout<UnsafeRawPointer>.size }
        guard descriptor.pointee.abi_minor >= 2, let end, Int(descriptor.pointee.struct_size) >= end else { return nil }
        return descriptor.pointee.validate
    }

    typealias SendSuperseding = @convention(c) (OpaquePointer?, UnsafePointer<bridge_client_id>?, UnsafePointer<UInt64>?, Int,
                                                UnsafePointer<UInt8>?, Int, UnsafePointer<UInt8>?, Int,
                                                UnsafeMutablePointer<bridge_status>?) -> Void

    /// Refuses an incompatible plugin, naming both versions. Reads only the leading
    /// version fields until the size is known to be sufficient.
    static func check(_ descriptor: UnsafePointer<bridge_plugin_descriptor>, path: String) throws {
        let host = "\(BRIDGE_PLUGIN_ABI_MAJOR).\(BRIDGE_PLUGIN_ABI_MINOR)"
        let major = descriptor.pointee.abi_major
        let minor = descriptor.pointee.abi_minor
        guard major == UInt32(BRIDGE_PLUGIN_ABI_MAJOR) else {
            throw PluginLoadError("\(path) was built for plugin ABI \(major).\(minor); this bridge speaks ABI \(host) (the major versions must match): rebuild the plugin")
        }
        guard minor >= UInt32(BRIDGE_PLUGIN_ABI_MINOR_REQUIRED) else {
            throw PluginLoadError("\(path) was built for plugin ABI \(major).\(minor); this bridge needs at least \(BRIDGE_PLUGIN_ABI_MAJOR).\(BRIDGE_PLUGIN_ABI_MINOR_REQUIRED): rebuild the plugin")
        }
        let minimum = MemoryLayout<bridge_plugin_descriptor>.offset(of: \.close_client).map { $0 + MemoryLayout<UnsafeRawPointer>.size }
            ?? MemoryLayout<bridge_plugin_descriptor>.size
        guard Int(descriptor.pointee.struct_size) >= minimum else {
            throw PluginLoadError("\(path) (ABI \(major).\(minor)) declares a descriptor of \(descriptor.pointee.struct_size) bytes; ABI \(host) needs at least \(minimum): rebuild the plugin")
        }
        let d = descriptor.pointee
        guard d.name != nil, d.version != nil, d.create != nil, d.start != nil, d.stop != nil, d.destroy != nil,
              d.send != nil, d.send_many != nil, d.close_client != nil
        else {
            throw PluginLoadError("\(path) (ABI \(major).\(minor)) leaves required descriptor functions empty")
        }
    }
}
