#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import BridgePluginKit
import CBridgePlugin

/// The transport's one I/O thread: it polls the listener, the wake pipe, the stop signal
/// and every connection; it alone accepts, reads, writes, closes and calls the host about
/// clients. Host calls from other threads only queue messages and notify `wakeup`.
final class UnixEventLoop: @unchecked Sendable {
    /// Connections accepted per readiness event of the listener.
    private static let acceptsPerTurn = 64
    /// How long accepting pauses when the process is out of descriptors (else poll spins).
    private static let acceptPauseSeconds = 0.5
    private static let readBufferBytes = 64 * 1024

    private let host: BridgeHost
    private let configuration: UnixSocketConfiguration
    private let listener: UnixListener
    private let registry: ClientRegistry
    private let wakeup: LoopWakeup
    private let stop: StopSignal

    // I/O-thread state (the class is @unchecked Sendable for this reason).
    private var connections: [UInt64: UnixConnection] = [:]
    private var acceptingAgainAt: MonotonicDeadline?
    private var readBuffer = [UInt8](repeating: 0, count: readBufferBytes)

    init(host: BridgeHost, configuration: UnixSocketConfiguration, listener: UnixListener, registry: ClientRegistry,
         wakeup: LoopWakeup, stop: StopSignal) {
        self.host = host
        self.configuration = configuration
        self.listener = listener
        self.registry = registry
        self.wakeup = wakeup
        self.stop = stop
    }

    func run() {
        registry.attachIOThread()
        while !stop.isFired {
            let watched = pollOnce()
            if stop.isFired { break }
            if watched.wakeup { serveNotifications() }
            if watched.listener { acceptConnections() }
            for (id, events) in watched.connections {
                guard let connection = connections[id] else { continue }
                serve(connection, events)
            }
            enforceCloseDeadlines()
        }
        for connection in Array(connections.values) { finish(connection, reason: "transport stopped") }
    }

    // MARK: Polling

    private struct Readiness {
        var wakeup = false
        var listener = false
        var connections: [(UInt64, Int16)] = []
    }

    private func pollOnce() -> Readiness {
        var descriptors = [pollfd(fd: stop.descriptor, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: wakeup.descriptor, events: Int16(POLLIN), revents: 0)]
        if let pause = acceptingAgainAt, pause.hasPassed { acceptingAgainAt = nil }
        let listening = acceptingAgainAt == nil
        if listening { descriptors.append(pollfd(fd: listener.descriptor, events: Int16(POLLIN), revents: 0)) }
        let ids = Array(connections.keys)
        var deadline = acceptingAgainAt
        for id in ids {
            guard let connection = connections[id] else { continue }
            var events: Int16 = 0
            if !connection.inputEnded && !connection.isClosing { events |= Int16(POLLIN) }
            if connection.wantsWritable { events |= Int16(POLLOUT) }
            descriptors.append(pollfd(fd: connection.descriptor, events: events, revents: 0))
            if let close = connection.client.pendingClose?.deadline { deadline = min(deadline ?? close, close) }
        }
        let result = poll(&descriptors, nfds_t(descriptors.count), deadline?.pollTimeout ?? -1)
        var readiness = Readiness()
        guard result > 0 else { return readiness }
        readiness.wakeup = descriptors[1].revents != 0
        let first = listening ? 3 : 2
        readiness.listener = listening && descriptors[2].revents != 0
        for (index, id) in ids.enumerated() where descriptors[first + index].revents != 0 {
            readiness.connections.append((id, descriptors[first + index].revents))
        }
        return readiness
    }

    // MARK: Host requests

    /// New messages to write, or closes to start, for the clients host calls named.
    private func serveNotifications() {
        for id in wakeup.takePending() {
            guard let connection = connections[id] else { continue }
            flush(connection)
        }
    }

    // MARK: Accepting

    private func acceptConnections() {
        for _ in 0..<Self.acceptsPerTurn {
            let descriptor = accept(listener.descriptor, nil, nil)
            if descriptor < 0 {
                switch errno {
                case EAGAIN, EWOULDBLOCK: return
                case EINTR, ECONNABORTED: continue
                case let error:
                    // Out of descriptors or memory: pause, or poll would report the listener again at once.
                    host.log(BRIDGE_LOG_ERROR, "cannot accept a connection on \(listener.summary): \(SystemError(error)); pausing for \(Self.acceptPauseSeconds) s")
                    acceptingAgainAt = .after(seconds: Self.acceptPauseSeconds)
                    return
                }
            }
            // accept4 is a GNU extension Swift's Glibc does not declare: set the flags after.
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
            admit(descriptor)
        }
    }

    private func admit(_ descriptor: Int32) {
        guard let peer = PeerCredentials(of: descriptor) else {
            host.log(BRIDGE_LOG_WARNING, "refused a connection whose peer credentials are unknown")
            refuse(descriptor, ProtocolErrorMessage.notPermitted("peer credentials are unknown"))
            return
        }
        guard configuration.allowList.admits(peer) else {
            host.log(BRIDGE_LOG_WARNING, "refused a connection from uid \(peer.uid) gid \(peer.gid) (pid \(peer.pid)): not in allowed_uids or allowed_gids")
            refuse(descriptor, ProtocolErrorMessage.notPermitted("uid \(peer.uid) is not allowed"))
            return
        }
        guard connections.count < configuration.maxConnections else {
            host.log(BRIDGE_LOG_WARNING, "refused a connection from uid \(peer.uid) (pid \(peer.pid)): max_connections (\(configuration.maxConnections)) reached")
            refuse(descriptor, ProtocolErrorMessage.tooManyConnections(limit: configuration.maxConnections))
            return
        }
        registry.beginOpening()
        guard let id = host.clientOpened(peerInfo: peer.peerInfoJSON) else {
            registry.finishOpening(nil)
            host.log(BRIDGE_LOG_WARNING, "the host refused a connection from uid \(peer.uid) (pid \(peer.pid))")
            close(descriptor)
            return
        }
        let client = UnixClient(id: id, limits: configuration.limits) { [host] in host.clientWritable(id) }
        registry.finishOpening(client)
        connections[id] = UnixConnection(descriptor: descriptor, client: client, peer: peer,
                                         maxMessageBytes: configuration.limits.maxMessageBytes)
    }

    /// Sends one error line to a peer that is not served, then closes. What it sent is
    /// read and dropped first: closing over unread data would make its read of the error
    /// line fail with ECONNRESET.
    private func refuse(_ descriptor: Int32, _ error: String) {
        let line = Array((error + "\n").utf8)
        _ = line.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        _ = readBuffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        close(descriptor)
    }

    // MARK: Serving

    private func serve(_ connection: UnixConnection, _ events: Int16) {
        if events & Int16(POLLOUT) != 0 && !flush(connection) { return }
        let hungUp = events & Int16(POLLHUP) != 0
        if events & Int16(POLLIN | POLLHUP | POLLERR) != 0 && !connection.inputEnded && !connection.isClosing {
            switch connection.read(into: &readBuffer, { handle($0, from: connection) }) {
            case .open:
                break
            case .ended:
                if connection.endedInsideMessage {
                    host.log(BRIDGE_LOG_WARNING, "client \(connection.client.id) ended its input inside a message; the partial message was dropped")
                }
                connection.inputEnded = true
            case .failed(let reason):
                finish(connection, reason: reason)
                return
            }
            // Error replies the read queued (never written from inside the read: a failed
            // write would close the descriptor under it).
            if !flush(connection) { return }
        }
        // Fully closed by the peer (a half-close leaves POLLHUP off): nobody reads the answers.
        if hungUp || events & Int16(POLLERR) != 0 {
            finish(connection, reason: "connection closed by the peer")
        }
    }

    private func handle(_ event: FrameEvent, from connection: UnixConnection) {
        switch event {
        case .message(let bytes):
            if !connection.isClosing { host.clientMessage(connection.client.id, bytes) }
        case .oversize(let byteCount):
            let limit = configuration.limits.maxMessageBytes
            host.log(BRIDGE_LOG_WARNING, "client \(connection.client.id) sent a message of \(byteCount) bytes, over max_message_bytes (\(limit)): skipped up to its newline")
            reply(ProtocolErrorMessage.messageTooLarge(limit: limit), to: connection)
        case .framingError(let detail):
            reply(ProtocolErrorMessage.framingError(detail: detail), to: connection)
        }
    }

    private func reply(_ text: String, to connection: UnixConnection) {
        if !connection.client.outbox.enqueue(SharedMessage(text)).isAccepted {
            host.log(BRIDGE_LOG_WARNING, "dropped an error response to client \(connection.client.id): its outgoing queue is full or closing")
        }
    }

    /// Writes what is queued; false when that ended the connection.
    @discardableResult
    private func flush(_ connection: UnixConnection) -> Bool {
        switch connection.flush() {
        case .idle, .blocked:
            return true
        case .finished:
            finish(connection, reason: connection.client.pendingClose?.reason ?? "closed by the bridge")
        case .failed(let reason):
            finish(connection, reason: reason)
        }
        return false
    }

    private func enforceCloseDeadlines() {
        for connection in Array(connections.values) {
            guard let close = connection.client.pendingClose, close.deadline.hasPassed else { continue }
            host.log(BRIDGE_LOG_WARNING, "client \(connection.client.id) did not read its last messages within close_timeout_seconds (\(configuration.limits.closeTimeoutSeconds) s); closing it anyway")
            finish(connection, reason: close.reason)
        }
    }

    /// Closes the connection and reports it gone; nothing about it reaches the host after this.
    private func finish(_ connection: UnixConnection, reason: String) {
        let id = connection.client.id
        guard connections.removeValue(forKey: id) != nil else { return }
        registry.remove(id)
        connection.client.outbox.discardAll()
        close(connection.descriptor)
        host.clientClosed(id, reason: reason)
    }
}
