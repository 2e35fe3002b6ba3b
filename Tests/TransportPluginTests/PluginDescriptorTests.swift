import CBridgePlugin
import Testing

/// What every bundled plugin's descriptor offers the host.
@Suite struct PluginDescriptorTests {
    /// ABI 1.3: `send_superseding` is there and inside the struct the plugin declares, so
    /// the host supersedes through it rather than falling back to `send_many`.
    @Test(arguments: ["libWebSocketTransport.so", "libUnixSocketTransport.so", "libStdioTransport.so"])
    func offersSendSuperseding(_ name: String) throws {
        let library = try PluginLibrary(name)
        let descriptor = library.descriptor.pointee
        #expect(descriptor.abi_minor >= 3)
        let end = try #require(MemoryLayout<bridge_plugin_descriptor>.offset(of: \.send_superseding)) + MemoryLayout<UnsafeRawPointer>.size
        #expect(Int(descriptor.struct_size) >= end)
        #expect(descriptor.send_superseding != nil)
    }
}
