import CBridgePlugin
import Locking

/// One client's outgoing messages: a bounded queue (messages and bytes) filled from any
/// thread and drained by the transport's writer thread.
///
/// Backpressure: once `enqueue` has refused a message (`BRIDGE_ERR_QUEUE_FULL`), the
/// outbox calls `onWritable` exactly once when the writer has drained it to half of
/// both bounds (the host's `client_writable`). A message queued while the writer is behind
/// on the client (see `busyDepth`) is accepted as `BRIDGE_OK_BUSY` (to hosts that know it),
/// and `onWritable` follows once the queue is empty: the host batches what comes meanwhile
/// into its next message.
///
/// Superseding (`enqueue(_:superseding:combined:)`, ABI 1.3): the last queued message, while
/// the writer has not taken it, can be replaced by one that carries it and what came after,
/// so a writer that is behind writes one message per visit, not one per change.
///
/// Closing: `enqueueFinal` queues a last message even beyond the bound and refuses
/// everything after it; the writer sees `.finished` once that message is taken.
public final class ClientOutbox: Sendable {
    /// What the writer gets from `take`.
    public enum Next {
        /// `more`: something waits behind it (a message, or a close to finish), so the
        /// writer need not ask.
        case message(SharedMessage, more: Bool)
        /// Nothing arrived before the deadline.
        case timedOut
        /// Closed and drained, or discarded: nothing will follow.
        case finished
    }

    private struct State {
        var queue: BoundedQueue<SharedMessage>
        /// The message `enqueueFinal` put beyond the bound, sent after the queue.
        var final: SharedMessage?
        var closing = false
        var finished = false
        var refusedSinceWritable = false
        /// A message was accepted behind others (`BRIDGE_OK_BUSY`): say when the queue empties.
        var busySinceWritable = false
        /// When the writer last took a message, or the queue last filled from empty: how
        /// long messages have waited on this client's writer (kept only when `reportsBusy`).
        var progressAt = MonotonicDeadline.now
        /// The stream of the last queued message when `enqueue(_:superseding:combined:)`
        /// queued it and the writer has not taken it: it may still be replaced.
        var supersedable: UInt64?

        /// Nothing waits for the writer: no message queued, no close to finish.
        var isIdle: Bool { queue.count == 0 && final == nil && !closing }
    }

    /// The writer is behind on a client once it has `busyDepth` messages waiting, or has
    /// had some waiting for `busyAfterSeconds` without taking one: a message accepted then
    /// is `BRIDGE_OK_BUSY`, and the host holds later changes back to coalesce them. Until
    /// then messages flow as they come: a few in flight cost no latency, and a writer that
    /// keeps up is never made to wait for the hold-back round trip.
    public static let busyDepth = 4
    public static let busyAfterSeconds = 0.020

    public let lowWaterMessages: Int
    public let lowWaterBytes: Int
    private let monitor: Locked<State>
    private let onWritable: @Sendable () -> Void

    /// Whether `BRIDGE_OK_BUSY` is said at all (the host takes it).
    private let reportsBusy: Bool

    /// `reportsBusy`: say `BRIDGE_OK_BUSY` (by default when the host takes it).
    public init(maxMessages: Int, maxBytes: Int, reportsBusy: Bool = HostABI.acceptsBusy,
                onWritable: @escaping @Sendable () -> Void) {
        self.reportsBusy = reportsBusy
        monitor = Locked(State(queue: BoundedQueue(maxCount: maxMessages, maxBytes: maxBytes)))
        lowWaterMessages = maxMessages / 2
        lowWaterBytes = maxBytes / 2
        self.onWritable = onWritable
    }

    public convenience init(limits: TransportLimits, onWritable: @escaping @Sendable () -> Void) {
        self.init(maxMessages: limits.queueMaxMessages, maxBytes: limits.queueMaxBytes, onWritable: onWritable)
    }

    /// Messages and bytes waiting (the final message included).
    public var backlog: (messages: Int, bytes: Int) {
        monitor.withLock { state in
            (state.queue.count + (state.final == nil ? 0 : 1), state.queue.byteCount + (state.final?.count ?? 0))
        }
    }

    /// Queues `message`: `BRIDGE_OK`, `BRIDGE_OK_BUSY` while the writer is behind, `BRIDGE_ERR_QUEUE_FULL` at the bound, or
    /// `BRIDGE_ERR_UNKNOWN_CLIENT` once the client is closing (it is gone for the host).
    public func enqueue(_ message: SharedMessage) -> bridge_status {
        let status = monitor.withLock { state in Self.append(message, stream: nil, to: &state, reportsBusy: reportsBusy) }
        if status.isAccepted { monitor.wakeAll() }
        return status
    }

    /// Replaces the last queued message with `combined` when the writer has not taken it
    /// and it was queued here for the same `stream` (`BRIDGE_OK_SUPERSEDED`); otherwise
    /// queues `alone` as `enqueue` does, supersedable in turn for `stream`.
    public func enqueue(_ alone: SharedMessage, superseding stream: UInt64, combined: SharedMessage?) -> bridge_status {
        let status = monitor.withLock { state -> bridge_status in
            if let combined, state.supersedable == stream, !state.closing, !state.finished,
               state.queue.replaceLast(with: combined, size: combined.count) {
                return BRIDGE_OK_SUPERSEDED
            }
            return Self.append(alone, stream: stream, to: &state, reportsBusy: reportsBusy)
        }
        // A replaced message needs no wake-up: the writer was told of it when it was queued.
        if status.isAccepted { monitor.wakeAll() }
        return status
    }

    private static func append(_ message: SharedMessage, stream: UInt64?, to state: inout State, reportsBusy: Bool) -> bridge_status {
        if state.closing || state.finished { return BRIDGE_ERR_UNKNOWN_CLIENT }
        let behind = reportsBusy && writerIsBehind(&state)
        guard state.queue.append(message, size: message.count) else {
            state.refusedSinceWritable = true
            return BRIDGE_ERR_QUEUE_FULL
        }
        state.supersedable = stream
        guard behind else { return BRIDGE_OK }
        state.busySinceWritable = true
        return BRIDGE_OK_BUSY
    }

    /// Whether the writer is behind before one more message is queued (see `busyDepth`). The
    /// clock is read only when the depth alone does not tell, and only for hosts that take
    /// `BRIDGE_OK_BUSY` (for the others `progressAt` is never needed).
    private static func writerIsBehind(_ state: inout State) -> Bool {
        let waiting = state.queue.count
        if waiting >= busyDepth { return true }
        let now = MonotonicDeadline.now
        if waiting == 0 {
            state.progressAt = now
            return false
        }
        return state.progressAt.adding(seconds: busyAfterSeconds) <= now
    }

    /// Starts closing: queues `message` (if any) beyond the bound; later `enqueue`s are
    /// refused. False when the outbox was already closing.
    @discardableResult
    public func enqueueFinal(_ message: SharedMessage?) -> Bool {
        let accepted = monitor.withLock { state -> Bool in
            if state.closing || state.finished { return false }
            state.closing = true
            state.final = message
            state.supersedable = nil
            return true
        }
        monitor.wakeAll()
        return accepted
    }

    /// Drops everything queued and finishes the outbox (stop, or a close that timed out).
    public func discardAll() {
        monitor.withLock { state in
            state.queue.removeAll()
            state.final = nil
            state.closing = true
            state.finished = true
        }
        monitor.wakeAll()
    }

    /// The next message for the writer, waiting for one until `deadline` (nil: no limit).
    public func take(until deadline: MonotonicDeadline?) -> Next {
        var drained = false
        let next = monitor.wait(until: deadline) { state -> Next? in
            if state.finished { return .finished }
            if let message = state.queue.popFirst() {
                if reportsBusy { state.progressAt = .now }
                // The supersedable message is the last one: taken once the queue is empty.
                if state.queue.isEmpty { state.supersedable = nil }
                if state.refusedSinceWritable && !state.closing
                    && state.queue.count <= lowWaterMessages && state.queue.byteCount <= lowWaterBytes {
                    state.refusedSinceWritable = false
                    drained = true
                }
                if state.busySinceWritable && !state.closing && state.queue.count == 0 {
                    state.busySinceWritable = false
                    drained = true
                }
                return .message(message, more: !state.isIdle)
            }
            guard state.closing else { return nil }
            if let final = state.final {
                state.final = nil
                return .message(final, more: true)
            }
            state.finished = true
            return .finished
        } ?? .timedOut
        if drained { onWritable() }
        return next
    }
}
