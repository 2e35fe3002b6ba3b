import BridgePluginKit
import CBridgePlugin
import Synchronization

/// The stdio transport's one client (the process that spawned the bridge): the state the
/// reader, the writer and the host's calls share. Every report about the client goes
/// through here, under one lock, so that none follows `clientClosed`.
final class StdioClient: Sendable {
    /// A close the host asked for: flush until `deadline`, then report `reason`.
    private struct Closing {
        let reason: String
        let deadline: MonotonicDeadline
    }

    /// The host's id for the client; 0 until `client_open` has returned it. A class, so
    /// that the outbox's writable callback can share it.
    private final class AssignedID: Sendable {
        let value = Atomic<UInt64>(0)
    }

    let host: BridgeHost
    let outbox: ClientOutbox
    private let assignedID: AssignedID
    /// True once `clientClosed` was reported; held while reporting anything about the client.
    private let closed: Locked<Bool>
    private let closing = Locked<Closing?>(nil)
    private let framing = Locked<Framing?>(nil)
    private let shutdownRequested = Atomic(false)

    init(host: BridgeHost, limits: TransportLimits) {
        let assignedID = AssignedID()
        let closed = Locked(false)
        self.host = host
        self.assignedID = assignedID
        self.closed = closed
        outbox = ClientOutbox(limits: limits) { [host, closed, assignedID] in
            closed.withLock { closed in
                if !closed { host.clientWritable(assignedID.value.load(ordering: .acquiring)) }
            }
        }
    }

    var id: UInt64 { assignedID.value.load(ordering: .acquiring) }

    func opened(as id: UInt64) {
        assignedID.value.store(id, ordering: .releasing)
    }

    /// Whether a host call for `client` is for this client. While `client_open` has not
    /// returned the id yet, the host can only mean this one (it may send from inside that call).
    func isAddressed(by client: UInt64) -> Bool {
        let current = id
        return current == client || current == 0
    }

    /// The framing replies are written in: the client's, NDJSON until it is known.
    var outputFraming: Framing { framing.withLock { $0 ?? .ndjson } }

    func inputFramingDetected(_ detected: Framing) {
        framing.withLock { $0 = detected }
    }

    /// Hands one message from the client to the host, unless the client is closed.
    func deliver(_ message: UnsafeRawBufferPointer) {
        closed.withLock { closed in
            if !closed { host.clientMessage(id, message) }
        }
    }

    /// Queues an error response the transport made itself.
    func reply(_ text: String) {
        if !outbox.enqueue(SharedMessage(text)).isAccepted {
            host.log(BRIDGE_LOG_WARNING, "dropped an error response to the client: its outgoing queue is full or closing")
        }
    }

    /// Starts the close the host asked for: what is queued, then `final`, is flushed for
    /// at most `timeout` seconds by the writer, which then ends the session.
    func beginClose(final: SharedMessage?, reason: String, timeout: Double) {
        closing.withLock { closing in
            if closing == nil { closing = Closing(reason: reason, deadline: .after(seconds: timeout)) }
        }
        outbox.enqueueFinal(final)
    }

    var closeDeadline: MonotonicDeadline? { closing.withLock { $0?.deadline } }
    var closeReason: String? { closing.withLock { $0?.reason } }

    /// Reports the client gone (once). What is already queued still goes out; nothing more is taken.
    func reportClosed(_ reason: String) {
        closed.withLock { closed in
            guard !closed else { return }
            closed = true
            host.clientClosed(id, reason: reason)
        }
        outbox.enqueueFinal(nil)
    }

    /// The stdio session is over: the client is reported closed and the bridge asked to
    /// shut down, each once whatever the path (broken stdout, close).
    func end(_ reason: String) {
        reportClosed(reason)
        requestShutdown(reason)
    }

    /// stdin ended: the bridge is asked to shut down, but replies still go out until the
    /// transport is stopped.
    func inputEnded(_ reason: String) {
        requestShutdown(reason)
    }

    /// The host is stopping the transport: asking it to shut down would be noise.
    func stopping() {
        shutdownRequested.store(true, ordering: .releasing)
    }

    private func requestShutdown(_ reason: String) {
        if !shutdownRequested.exchange(true, ordering: .acquiringAndReleasing) {
            host.requestShutdown(reason: reason)
        }
    }
}
