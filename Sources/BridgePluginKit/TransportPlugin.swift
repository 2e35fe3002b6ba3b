import CBridgePlugin

/// What a transport written in Swift implements; `PluginExport` turns it into the C
/// descriptor. Methods other than `start`/`stop` may be called from any thread.
public protocol TransportPlugin: AnyObject, Sendable {
    func start() throws
    func stop()
    func send(_ client: UInt64, _ message: SharedMessage) -> bridge_status
    func sendMany(_ clients: UnsafeBufferPointer<UInt64>, _ message: SharedMessage, statuses: UnsafeMutablePointer<bridge_status>?)
    /// ABI 1.3 `send_superseding` (see bridge_plugin.h); an `OutboxTransport` has it from
    /// its outboxes.
    func sendSuperseding(_ clients: UnsafeBufferPointer<UInt64>, streams: UnsafeBufferPointer<UInt64>, combined: SharedMessage?,
                         alone: SharedMessage, statuses: UnsafeMutablePointer<bridge_status>?)
    func closeClient(_ client: UInt64, final: SharedMessage?, code: Int32, reason: String)
}

extension TransportPlugin {
    /// Fan-out through `send`: the message is shared, not copied per client.
    public func sendMany(_ clients: UnsafeBufferPointer<UInt64>, _ message: SharedMessage, statuses: UnsafeMutablePointer<bridge_status>?) {
        for (index, client) in clients.enumerated() {
            let status = send(client, message)
            statuses?[index] = status
        }
    }

    /// Without superseding: `alone` to each, as `sendMany`.
    public func sendSuperseding(_ clients: UnsafeBufferPointer<UInt64>, streams: UnsafeBufferPointer<UInt64>, combined: SharedMessage?,
                                alone: SharedMessage, statuses: UnsafeMutablePointer<bridge_status>?) {
        sendMany(clients, alone, statuses: statuses)
    }
}

/// A plugin's failure to create or start, reported to the host through errbuf; for a
/// configuration problem, with the key inside the section it is about.
public struct PluginError: Error, CustomStringConvertible, Sendable {
    public let description: String
    /// Dotted key inside the transport's section ("listen", "tls.cert_file"), if any.
    public let key: String?

    public init(_ description: String) {
        self.description = description
        key = nil
    }

    public init(key: String, _ description: String) {
        self.description = description
        self.key = key
    }
}
