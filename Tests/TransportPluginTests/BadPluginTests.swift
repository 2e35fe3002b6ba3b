import CBridgePlugin
import Testing

/// The fixtures the host must refuse really carry the faults they are named for.
@Suite struct BadPluginTests {
    @Test func wrongMajorVersion() throws {
        let library = try PluginLibrary("libWrongMajorPlugin.so")
        #expect(library.descriptor.pointee.abi_major == 99)
        #expect(library.descriptor.pointee.struct_size == UInt32(MemoryLayout<bridge_plugin_descriptor>.size))
    }

    @Test func descriptorShorterThanTheMinimum() throws {
        let library = try PluginLibrary("libShortStructPlugin.so")
        let minimum = try #require(MemoryLayout<bridge_plugin_descriptor>.offset(of: \.close_client)) + MemoryLayout<UnsafeRawPointer>.size
        #expect(library.descriptor.pointee.abi_major == UInt32(BRIDGE_PLUGIN_ABI_MAJOR))
        #expect(Int(library.descriptor.pointee.struct_size) < minimum)
    }
}
