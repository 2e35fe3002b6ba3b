import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Locking

/// A Socket.IO v5 / Engine.IO v4 client over a single WebSocket (libwebsockets, OpenSSL),
/// for one namespace (`SocketIOConfiguration.namespace`: "/" unless set). It connects
/// straight to the WebSocket transport, answers the server's heartbeat, reconnects with
/// exponential backoff and full jitter, and reports what happens on `events`.
///
/// One lws context and one service pthread per client; all lws work happens there. Every
/// method here may be called from any thread.
public final class SocketIOClient: Sendable {
    private struct Lifecycle {
        var started = false
        var stopped = false
        var thread: pthread_t?
    }

    /// Events in order, for a single consumer. Buffers the newest 10,000 events: if the
    /// consumer falls that far behind, the oldest are dropped (and a warning is logged), so
    /// treat events as triggers and keep an independent catch-up path. Finishes on `stop()`.
    public let events: AsyncStream<SocketIOEvent>

    private let connection: SocketIOConnection
    private let lifecycle = Locked(Lifecycle())
    private let logger: Logger

    public init(configuration: SocketIOConfiguration, logger: Logger) {
        let (stream, continuation) = AsyncStream.makeStream(of: SocketIOEvent.self,
                                                            bufferingPolicy: .bufferingNewest(10_000))
        events = stream
        self.logger = logger
        connection = SocketIOConnection(configuration: configuration, logger: logger, events: continuation)
    }

    deinit {
        stop()
    }

    /// Spawns the service thread, which connects at once. Returns immediately; a second
    /// call, or a call after `stop()`, does nothing.
    public func start() {
        lifecycle.withLock { state in
            guard !state.started, !state.stopped else { return }
            state.started = true
            state.thread = connection.startServiceThread()
            if state.thread == nil {
                logger.error("socket.io: cannot create the service thread")
            }
        }
    }

    /// Leaves the namespace (briefly waiting for the goodbye to be written), closes the
    /// connection, joins the service thread, fails pending acks and finishes `events`.
    /// Idempotent. Must not be called from the `auth` closure.
    public func stop() {
        let thread: pthread_t? = lifecycle.withLock { state in
            guard !state.stopped else { return nil }
            state.stopped = true
            defer { state.thread = nil }
            return state.thread
        }
        connection.requestStop()
        if let thread, pthread_equal(thread, pthread_self()) == 0 {
            pthread_join(thread, nil)
        }
        connection.finishAfterStop()
    }

    /// Sends an event (fire and forget). `argumentsJSON` is a JSON array of the arguments
    /// after the name. Returns false when not connected, the arguments are not a JSON array,
    /// the packet exceeds the server's maxPayload, or the outbox is full.
    @discardableResult
    public func emit(_ event: String, argumentsJSON: String = "[]") -> Bool {
        do {
            try connection.enqueue(SocketIOPacket.eventFrame(name: event, argumentsJSON: argumentsJSON, ackId: nil, namespace: connection.configuration.namespace))
            return true
        } catch {
            logger.debug("socket.io emit '\(event)' not sent: \(error)")
            return false
        }
    }

    /// Sends an event and waits for the server's ack; returns the ack's arguments as JSON
    /// array text. Throws `SocketIOError` (`.notConnected`, `.ackTimeout`, `.disconnected`,
    /// `.stopped`, ...) or `CancellationError` if the calling task is cancelled.
    public func emitWithAck(_ event: String, argumentsJSON: String = "[]", timeout: Double) async throws -> String {
        let connection = self.connection
        let id = connection.allocateAckId()
        let frame = try SocketIOPacket.eventFrame(name: event, argumentsJSON: argumentsJSON, ackId: id, namespace: connection.configuration.namespace)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<String, any Error>) in
                connection.enqueue(frame, ackId: id, timeout: timeout, continuation: continuation)
                // Cancellation that raced ahead of the registration above.
                if Task.isCancelled { connection.failAck(id, CancellationError()) }
            }
        } onCancel: {
            connection.failAck(id, CancellationError())
        }
    }

    /// Drops the current connection (reporting `.disconnected(reason: "reconnect requested")`)
    /// or cuts a backoff short, and connects at once with a fresh `auth()` payload. Use after
    /// the HTTP side re-authenticated.
    public func reconnectNow() {
        connection.requestReconnect()
    }
}
