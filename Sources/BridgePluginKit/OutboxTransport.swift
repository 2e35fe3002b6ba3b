import CBridgePlugin

/// A transport whose writers take from one `ClientOutbox` per client: `send` and
/// `sendSuperseding` come from the outbox, reached through `enqueue(for:_:)`.
public protocol OutboxTransport: TransportPlugin {
    /// Runs `enqueue` on `client`'s outbox and wakes its writer when that queued a message;
    /// `BRIDGE_ERR_UNKNOWN_CLIENT` or `BRIDGE_ERR_STOPPED` when there is no such outbox.
    func enqueue(for client: UInt64, _ enqueue: (ClientOutbox) -> bridge_status) -> bridge_status
}

extension OutboxTransport {
    public func send(_ client: UInt64, _ message: SharedMessage) -> bridge_status {
        enqueue(for: client) { $0.enqueue(message) }
    }

    public func sendSuperseding(_ clients: UnsafeBufferPointer<UInt64>, streams: UnsafeBufferPointer<UInt64>, combined: SharedMessage?,
                                alone: SharedMessage, statuses: UnsafeMutablePointer<bridge_status>?) {
        for (index, client) in clients.enumerated() {
            let status = enqueue(for: client) { $0.enqueue(alone, superseding: streams[index], combined: combined) }
            statuses?[index] = status
        }
    }
}
