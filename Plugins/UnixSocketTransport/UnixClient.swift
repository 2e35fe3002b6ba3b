import BridgePluginKit

/// What the host's calls (from any thread) and the I/O thread share about one connection:
/// its outgoing queue and the close the host asked for. Every call into the host about
/// the client is made by the I/O thread, so none can follow `client_close`.
final class UnixClient: Sendable {
    /// A close the host asked for: flush until `deadline`, then report `reason`.
    struct CloseRequest: Sendable {
        let reason: String
        let deadline: MonotonicDeadline
    }

    let id: UInt64
    let outbox: ClientOutbox
    private let closeRequest = Locked<CloseRequest?>(nil)

    init(id: UInt64, limits: TransportLimits, onWritable: @escaping @Sendable () -> Void) {
        self.id = id
        outbox = ClientOutbox(limits: limits, onWritable: onWritable)
    }

    /// Queues `final` beyond the bound and starts the close; later requests are ignored.
    func requestClose(final: SharedMessage?, reason: String, timeout: Double) {
        let first = closeRequest.withLock { request in
            guard request == nil else { return false }
            request = CloseRequest(reason: reason, deadline: .after(seconds: timeout))
            return true
        }
        if first { outbox.enqueueFinal(final) }
    }

    var pendingClose: CloseRequest? { closeRequest.withLock { $0 } }
}
