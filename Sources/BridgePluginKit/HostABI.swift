import CBridgePlugin
import Synchronization

/// What the host this library is loaded into understands, learned from the vtable it hands
/// `create` (one host per process).
public enum HostABI {
    private static let minor = Atomic<UInt32>(0)

    static func adopt(_ host: UnsafePointer<bridge_host_vtable>) {
        minor.store(host.pointee.abi_minor, ordering: .releasing)
    }

    /// The host takes `BRIDGE_OK_BUSY` (ABI 1.1).
    public static var acceptsBusy: Bool { minor.load(ordering: .acquiring) >= 1 }
}

extension bridge_status {
    /// The message was queued (`BRIDGE_OK` or `BRIDGE_OK_BUSY`); a superseding one that
    /// replaced its predecessor (`BRIDGE_OK_SUPERSEDED`) added nothing to wake a writer for.
    public var isAccepted: Bool { self == BRIDGE_OK || self == BRIDGE_OK_BUSY }
}
