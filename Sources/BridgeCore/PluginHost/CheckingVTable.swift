import CBridgePlugin
import Foundation

/// The host vtable handed to a plugin created only to see whether it accepts its
/// configuration: no client is admitted, nothing is answered, logs are dropped.
final class CheckingVTable {
    let pointer: UnsafeMutablePointer<bridge_host_vtable>

    init() {
        pointer = .allocate(capacity: 1)
        pointer.initialize(to: bridge_host_vtable())
        pointer.pointee.abi_major = UInt32(BRIDGE_PLUGIN_ABI_MAJOR)
        pointer.pointee.abi_minor = UInt32(BRIDGE_PLUGIN_ABI_MINOR)
        pointer.pointee.struct_size = UInt32(MemoryLayout<bridge_host_vtable>.size)
        pointer.pointee.client_open = { _, _ in 0 }
        pointer.pointee.client_message = { _, _, _, _ in }
        pointer.pointee.client_close = { _, _, _ in }
        pointer.pointee.client_writable = { _, _ in }
        pointer.pointee.log = { _, _, _ in }
        pointer.pointee.host_query = { _, _ in nil }
        pointer.pointee.free_string = { _, string in free(string) }
        pointer.pointee.request_shutdown = { _, _ in }
    }

    deinit { pointer.deallocate() }
}
