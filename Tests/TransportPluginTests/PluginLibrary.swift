#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CBridgePlugin

/// A plugin library built by this package, opened the way the host opens it. The tests
/// never link a plugin target: that would put a second copy of it in the process.
struct PluginLibrary: @unchecked Sendable {
    let descriptor: UnsafePointer<bridge_plugin_descriptor>

    /// The build's products folder: where the test runner itself is (`PLUGIN_DIR` overrides).
    static var productsDirectory: String {
        if let override = getenv("PLUGIN_DIR") { return String(cString: override) }
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/exe", &buffer, buffer.count)
        let executable = String(decoding: buffer.prefix(max(length, 0)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return String(executable[..<(executable.lastIndex(of: "/") ?? executable.endIndex)])
    }

    init(_ fileName: String) throws {
        let path = "\(Self.productsDirectory)/\(fileName)"
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            throw TestFailure("cannot load \(path): \(dlerror().map { String(cString: $0) } ?? "?")")
        }
        guard let symbol = dlsym(handle, BRIDGE_PLUGIN_ENTRY_SYMBOL) else {
            throw TestFailure("\(path) does not export \(BRIDGE_PLUGIN_ENTRY_SYMBOL)")
        }
        let entry = unsafeBitCast(symbol, to: (@convention(c) () -> UnsafePointer<bridge_plugin_descriptor>?).self)
        guard let descriptor = entry() else { throw TestFailure("\(path) returned no descriptor") }
        self.descriptor = descriptor
    }

    var name: String { String(cString: descriptor.pointee.name) }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
