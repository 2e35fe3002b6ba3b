import CBridgePlugin

/// The host as a plugin sees it: a Swift face on the `bridge_host_vtable` handed to
/// `create`. Every call may be made from any plugin thread.
public struct BridgeHost: @unchecked Sendable {
    private let vtable: UnsafePointer<bridge_host_vtable>

    public init(_ vtable: UnsafePointer<bridge_host_vtable>) {
        self.vtable = vtable
    }

    private var context: UnsafeMutableRawPointer? { vtable.pointee.host_ctx }

    /// Announces a client; nil when the host refuses it.
    public func clientOpened(peerInfo: String) -> UInt64? {
        let id = peerInfo.withCString { vtable.pointee.client_open(context, $0) }
        return id == 0 ? nil : id
    }

    public func clientMessage(_ client: UInt64, _ bytes: UnsafeRawBufferPointer) {
        vtable.pointee.client_message(context, client, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count)
    }

    public func clientMessage(_ client: UInt64, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { clientMessage(client, $0) }
    }

    public func clientClosed(_ client: UInt64, reason: String) {
        reason.withCString { vtable.pointee.client_close(context, client, $0) }
    }

    public func clientWritable(_ client: UInt64) {
        vtable.pointee.client_writable(context, client)
    }

    public func log(_ level: bridge_log_level, _ message: String) {
        message.withCString { vtable.pointee.log(context, level, $0) }
    }

    /// A document from the host ("metrics", "status", "health"), or nil.
    public func query(_ name: String) -> String? {
        guard let text = name.withCString({ vtable.pointee.host_query(context, $0) }) else { return nil }
        defer { vtable.pointee.free_string(context, text) }
        return String(cString: text)
    }

    public func requestShutdown(reason: String) {
        reason.withCString { vtable.pointee.request_shutdown(context, $0) }
    }
}
