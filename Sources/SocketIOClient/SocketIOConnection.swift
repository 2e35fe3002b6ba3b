import CLibWebSockets
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Locking

/// The connection state machine, run by one service pthread that owns the lws context.
///
/// Threading: the properties under `// Service-thread state` are touched only by the service
/// thread (the loop, lws callbacks and the timer; see the `SocketIOConnection+*.swift`
/// extensions, which all run there). Other threads reach this object only through
/// `shared` (a pthread lock) and wake the loop with `lws_cancel_service`, which lws delivers
/// back here as `LWS_CALLBACK_EVENT_WAIT_CANCELLED`. Hence `@unchecked Sendable`.
final class SocketIOConnection: @unchecked Sendable {
    enum Phase: Equatable {
        case idle, backoff, resolving, connecting, opening, handshaking, connected, closing, stopped

        /// A connection attempt or session is in progress.
        var isActive: Bool {
            switch self {
            case .resolving, .connecting, .opening, .handshaking, .connected: true
            default: false
            }
        }
    }

    /// A connection that stayed up this long resets the reconnect backoff.
    static let stableConnectionSeconds = 10.0
    /// How long `stop()` waits for the goodbye (`41` + WebSocket close) to go out.
    static let goodbyeSeconds = 0.5

    let configuration: SocketIOConfiguration
    let logger: Logger
    let events: AsyncStream<SocketIOEvent>.Continuation
    let shared: Locked<SharedState>

    // Service-thread state
    var context: LWSContext?
    var phase: Phase = .idle
    var wsi: OpaquePointer?
    var insideConnectCall = false
    var rx: [UInt8] = []
    /// Engine.IO frames of our own (pongs, CONNECT, acks), written before the outbox.
    var control: [OutgoingFrame] = []
    var backoff: Backoff
    var attemptDeadline = 0.0
    var lastReceive = 0.0
    var heartbeatWindow = 45.0
    var connectedSince: Double?
    var resolveGeneration = 0
    var addressCursor = 0
    var peerCloseReason: String?

    init(configuration: SocketIOConfiguration, logger: Logger, events: AsyncStream<SocketIOEvent>.Continuation) {
        self.configuration = configuration
        self.logger = logger
        self.events = events
        self.shared = Locked(SharedState(outboxLimit: configuration.outboxLimit))
        self.backoff = Backoff(range: configuration.reconnectDelay)
    }

    // MARK: - Called from any thread

    /// Spawns the service thread; nil if the thread could not be created.
    func startServiceThread() -> pthread_t? {
        var thread = pthread_t()
        let argument = Unmanaged.passRetained(self).toOpaque()
        guard pthread_create(&thread, nil, sioServiceThreadMain, argument) == 0 else {
            Unmanaged<SocketIOConnection>.fromOpaque(argument).release()
            return nil
        }
        return thread
    }

    func requestStop() {
        shared.withLock { state in
            state.stopRequested = true
            if let context = state.context { lws_cancel_service(context.pointer) }
        }
    }

    func requestReconnect() {
        shared.withLock { state in
            state.reconnectRequested = true
            state.wake()
        }
    }

    func allocateAckId() -> Int {
        shared.withLock { state in
            state.nextAckId = state.nextAckId >= SocketIOPacket.maxAckId ? 0 : state.nextAckId + 1
            return state.nextAckId
        }
    }

    /// Queues an event frame for the connected namespace and wakes the service thread.
    func enqueue(_ text: String) throws(SocketIOError) {
        let frame = OutgoingFrame(text)
        let failure: SocketIOError? = shared.withLock { state in
            if let error = Self.admissionError(state, frame) { return error }
            guard state.outbox.append(frame) else { return .outboxFull }
            state.wake()
            return nil
        }
        if let failure { throw failure }
    }

    /// Queues an event frame whose ACK resumes `continuation`, failing it with
    /// `.ackTimeout` after `timeout` seconds.
    func enqueue(_ text: String, ackId: Int, timeout: Double, continuation: CheckedContinuation<String, any Error>) {
        let frame = OutgoingFrame(text)
        let failure: SocketIOError? = shared.withLock { state in
            if let error = Self.admissionError(state, frame) { return error }
            guard state.outbox.append(frame) else { return .outboxFull }
            state.acks[ackId] = PendingAck(continuation: continuation, timeoutTask: nil)
            state.wake()
            return nil
        }
        if let failure {
            continuation.resume(throwing: failure)
            return
        }
        let nanoseconds = UInt64(max(0, min(timeout, 86_400 * 365)) * 1e9)
        let timeoutTask = Task { [weak self] in
            do { try await Task.sleep(nanoseconds: nanoseconds) } catch { return }
            self?.failAck(ackId, SocketIOError.ackTimeout)
        }
        let attached = shared.withLock { state in
            guard state.acks[ackId] != nil else { return false }
            state.acks[ackId]?.timeoutTask = timeoutTask
            return true
        }
        if !attached { timeoutTask.cancel() }
    }

    func failAck(_ id: Int, _ error: any Error) {
        guard let pending = shared.withLock({ $0.acks.removeValue(forKey: id) }) else { return }
        pending.timeoutTask?.cancel()
        pending.continuation.resume(throwing: error)
    }

    private static func admissionError(_ state: SharedState, _ frame: OutgoingFrame) -> SocketIOError? {
        if state.stopRequested { return .stopped }
        if !state.connected { return .notConnected }
        if frame.payloadCount > state.maxPayload {
            return .payloadTooLarge(size: frame.payloadCount, limit: state.maxPayload)
        }
        return nil
    }

    /// Fails every pending ack and drops queued frames (after a loss, or on stop).
    func failPendingAndClear(_ error: SocketIOError) {
        let acks = shared.withLock { state -> [PendingAck] in
            state.connected = false
            state.outbox.removeAll()
            let pending = Array(state.acks.values)
            state.acks.removeAll()
            return pending
        }
        for pending in acks {
            pending.timeoutTask?.cancel()
            pending.continuation.resume(throwing: error)
        }
    }

    /// Called by the facade after the service thread has been joined (or never ran).
    func finishAfterStop() {
        failPendingAndClear(.stopped)
        events.finish()
    }
}
