import CLibWebSockets
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The service thread's loop, connection attempts and reconnects.
extension SocketIOConnection {
    // MARK: - Service loop

    func runServiceLoop() {
        guard let context = makeContext() else {
            phase = .stopped
            return
        }
        self.context = context
        let running = shared.withLock { state -> Bool in
            guard !state.stopRequested else { return false }
            state.context = ContextRef(pointer: context.pointer)
            return true
        }
        if running {
            beginAttempt()
            while !shared.withLock({ $0.stopRequested }) {
                if lws_service(context.pointer, 0) < 0 { usleep(10_000) }
            }
            sayGoodbye(context)
        }
        phase = .stopped
        shared.withLock { $0.context = nil }
        context.destroy()  // remaining callbacks see `.stopped` and stay quiet
        self.context = nil
        wsi = nil
        failPendingAndClear(.stopped)
        logger.debug("socket.io service thread finished")
    }

    /// Creates the lws context, retrying with backoff until it works or stop is requested
    /// (context creation fails e.g. when the CA file cannot be read).
    func makeContext() -> LWSContext? {
        while !shared.withLock({ $0.stopRequested }) {
            let caProblem = configuration.caFile.flatMap(LWSContext.problem(withCAFile:))
            if caProblem == nil, let context = LWSContext(owner: self, caFile: configuration.caFile,
                                                          timeoutSeconds: configuration.connectTimeout) {
                return context
            }
            let reason = caProblem ?? "cannot create the lws context"
            logger.error("socket.io: \(reason)")
            emit(.disconnected(reason: reason))
            let until = monotonicSeconds() + backoff.nextDelay()
            while monotonicSeconds() < until, !shared.withLock({ $0.stopRequested }) { usleep(20_000) }
        }
        return nil
    }

    /// On stop: leave the namespace and close the WebSocket politely, briefly.
    func sayGoodbye(_ context: LWSContext) {
        guard phase == .connected, let wsi else { return }
        phase = .closing
        control.append(OutgoingFrame(SocketIOPacket.disconnectFrame(namespace: configuration.namespace)))
        lws_callback_on_writable(wsi)
        let deadline = monotonicSeconds() + Self.goodbyeSeconds
        context.scheduleTimer(after: Self.goodbyeSeconds)
        while self.wsi != nil, monotonicSeconds() < deadline {
            if lws_service(context.pointer, 0) < 0 { break }
        }
    }

    // MARK: - Connection attempts

    func beginAttempt() {
        guard let context else { return }
        rx = []
        control = []
        peerCloseReason = nil
        attemptDeadline = monotonicSeconds() + configuration.connectTimeout
        context.scheduleTimer(after: configuration.connectTimeout)
        let host = configuration.endpoint.host
        if HostResolver.isIPLiteral(host) {
            connect(to: host)
            return
        }
        phase = .resolving
        resolveGeneration += 1
        let generation = resolveGeneration
        HostResolver.resolve(host) { [self] result in
            shared.withLock { state in
                state.resolution = (generation, result)
                state.wake()
            }
        }
    }

    func connect(to address: String) {
        guard let context else { return }
        phase = .connecting
        let endpoint = configuration.endpoint
        logger.debug("socket.io connecting", metadata: [
            "address": "\(address)", "port": "\(endpoint.port)", "tls": "\(endpoint.useTLS)",
        ])
        let strings = [address, endpoint.requestPath, endpoint.hostHeader, LWSContext.protocolName, "http/1.1"]
        let cStrings = strings.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }  // lws copies them into the new wsi
        var info = lws_client_connect_info()
        info.context = context.pointer
        info.address = UnsafePointer(cStrings[0])
        info.port = Int32(endpoint.port)
        info.path = UnsafePointer(cStrings[1])
        info.host = UnsafePointer(cStrings[2])
        info.local_protocol_name = UnsafePointer(cStrings[3])
        info.ietf_version_or_minus_one = -1
        if endpoint.useTLS {
            // Full verification: CA chain and host name (lws checks `host`, minus any port).
            info.ssl_connection = Int32(LCCSCF_USE_SSL.rawValue)
            // Offer only HTTP/1.1 so an h2-capable proxy never picks h2 for the upgrade.
            info.alpn = UnsafePointer(cStrings[4])
        }
        // No origin: python-engineio rejects an Origin it does not expect, and sends none.
        insideConnectCall = true
        let created = lws_client_connect_via_info(&info)
        insideConnectCall = false
        guard phase == .connecting else { return }  // it already failed inside the call
        if let created {
            wsi = created
        } else {
            connectionLost(.disconnected(reason: "cannot start a connection to \(address):\(endpoint.port)"),
                           closeTransport: false)
        }
    }

    /// Ends the current attempt or session: reports `event`, fails pending acks, and
    /// schedules the next attempt (at once when `retryNow`).
    func connectionLost(_ event: SocketIOEvent, closeTransport: Bool, retryNow: Bool = false) {
        guard phase.isActive else { return }
        if phase == .connecting { addressCursor &+= 1 }  // try the next address next time
        if closeTransport, let wsi {
            // Asynchronous: safe from inside this wsi's own callbacks, and its later
            // callbacks are ignored because it is no longer the current wsi.
            lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC)
        }
        wsi = nil
        rx = []
        control = []
        resolveGeneration += 1
        if let since = connectedSince, monotonicSeconds() - since >= Self.stableConnectionSeconds {
            backoff.reset()
        }
        connectedSince = nil
        failPendingAndClear(.disconnected)
        switch event {
        case .disconnected(let reason): logger.info("socket.io disconnected: \(reason)")
        case .connectError(let message, _): logger.info("socket.io connect refused: \(message)")
        default: break
        }
        emit(event)
        if retryNow {
            backoff.reset()
            beginAttempt()
            return
        }
        phase = .backoff
        let delay = backoff.nextDelay()
        logger.debug("socket.io reconnecting in \(delay) s")
        context?.scheduleTimer(after: delay)
    }

    func emit(_ event: SocketIOEvent) {
        if case .dropped = events.yield(event) {
            logger.warning("socket.io event buffer full: dropped the oldest event")
        }
    }

    // MARK: - Timer and wake-ups (service thread)

    func timerFired() {
        let now = monotonicSeconds()
        switch phase {
        case .backoff:
            beginAttempt()
        case .resolving, .connecting, .opening, .handshaking:
            if now >= attemptDeadline {
                connectionLost(.disconnected(reason: "connect timeout after \(configuration.connectTimeout) s (\(phase))"),
                               closeTransport: true)
            } else {
                context?.scheduleTimer(after: attemptDeadline - now)
            }
        case .connected:
            let deadline = lastReceive + heartbeatWindow
            if now >= deadline {
                connectionLost(.disconnected(reason: "ping timeout: nothing received for \((heartbeatWindow * 10).rounded() / 10) s"),
                               closeTransport: true)
            } else {
                context?.scheduleTimer(after: deadline - now)
            }
        case .idle, .closing, .stopped:
            break
        }
    }

    func drainRequests() {
        let (reconnect, resolution, hasOutgoing) = shared.withLock { state in
            defer {
                state.wakeRequested = false
                state.reconnectRequested = false
                state.resolution = nil
            }
            return (state.reconnectRequested, state.resolution, !state.outbox.isEmpty)
        }
        if let resolution, resolution.generation == resolveGeneration, phase == .resolving {
            switch resolution.result {
            case .addresses(let addresses) where !addresses.isEmpty:
                connect(to: addresses[addressCursor % addresses.count])
            case .addresses:
                connectionLost(.disconnected(reason: "cannot resolve \(configuration.endpoint.host)"), closeTransport: false)
            case .failed(let reason):
                connectionLost(.disconnected(reason: reason), closeTransport: false)
            }
        }
        if reconnect {
            switch phase {
            case .backoff:
                backoff.reset()
                beginAttempt()
            case .resolving, .connecting, .opening, .handshaking, .connected:
                connectionLost(.disconnected(reason: "reconnect requested"), closeTransport: true, retryNow: true)
            case .idle, .closing, .stopped:
                break
            }
        }
        if hasOutgoing, phase == .connected, let wsi {
            lws_callback_on_writable(wsi)
        }
    }
}
