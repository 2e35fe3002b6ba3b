import BridgePluginKit
import CBridgePlugin
import CLibWebSockets

/// The lws callbacks, on the service thread: handshakes, messages in, messages out, ends.
extension WebSocketServer {
    func handle(_ wsi: OpaquePointer, _ reason: lws_callback_reasons, _ user: UnsafeMutableRawPointer?,
                _ input: UnsafeMutableRawPointer?, _ length: Int) -> Int32 {
        let connection = LWSConnection(pointer: wsi)
        switch reason {
        case LWS_CALLBACK_SERVER_NEW_CLIENT_INSTANTIATED:
            return accept(connection)
        case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
            return confirmUpgrade(connection, to: input.map { String(cString: $0.assumingMemoryBound(to: CChar.self)) })
        case LWS_CALLBACK_HTTP:
            return serveHTTP(connection, path: input.map { String(cString: $0.assumingMemoryBound(to: CChar.self)) } ?? "/")
        case LWS_CALLBACK_ESTABLISHED:
            return established(connection)
        case LWS_CALLBACK_RECEIVE:
            return receive(connection, UnsafeRawBufferPointer(start: input, count: input == nil ? 0 : length))
        case LWS_CALLBACK_SERVER_WRITEABLE:
            return writable(connection)
        case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
            connections[connection]?.ending(Self.peerCloseDescription(UnsafeRawBufferPointer(start: input, count: input == nil ? 0 : length)))
            return 0
        case LWS_CALLBACK_CLOSED:
            closed(connection)
            return 0
        case LWS_CALLBACK_WSI_DESTROY:
            destroyed(connection)
            return 0
        case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
            serveWaitingClients()
            return 0
        case LWS_CALLBACK_OPENSSL_LOAD_EXTRA_SERVER_VERIFY_CERTS:
            // A TLS listener's context, as it is set up (`user` is its SSL_CTX).
            clws_release_idle_tls_buffers(user)
            _ = clws_verify_client_certificates_without_lookup(user)
            return lws_callback_http_dummy(wsi, reason, user, input, length)
        default:
            return lws_callback_http_dummy(wsi, reason, user, input, length)
        }
    }

    // MARK: Handshake

    /// A connection was just accepted (nothing read yet): it counts against its address
    /// from now on, or is closed at once when the address has too many unfinished ones.
    private func accept(_ connection: LWSConnection) -> Int32 {
        var address = [CChar](repeating: 0, count: 128)
        let peer = lws_get_peer_simple(connection.pointer, &address, address.count).map { String(cString: $0) } ?? "unknown"
        guard counter.accept(peer) else {
            // Not logged: under attack that would be a line per connection.
            metrics.acceptsRefused.add(1, ordering: .relaxed)
            return -1
        }
        accepted[connection] = peer
        return 0
    }

    /// Decides a WebSocket upgrade: path, connection limits, Origin, token, feed query.
    /// A refusal is answered with its HTTP status here (return 1: the response was sent).
    private func confirmUpgrade(_ connection: LWSConnection, to protocolName: String?) -> Int32 {
        guard protocolName?.lowercased() == "websocket" else { return -1 }  // no h2c
        let request = HTTPRequest(wsi: connection.pointer, path: HTTPRequest.upgradePath(connection.pointer))
        let outcome = admit(request)
        guard case .success(let handshake) = outcome else {
            if case .failure(let refusal) = outcome {
                metrics.refused(status: refusal.response.status)
                host.log(BRIDGE_LOG_DEBUG, "refused a WebSocket handshake from \(request.peerAddress) with \(refusal.response.status)")
                return refusal.response.write(to: connection.pointer) ? 1 : -1
            }
            return -1
        }
        counter.upgrade(handshake.peerAddress)
        connections[connection] = ConnectionState(handshake: handshake, maxMessageBytes: configuration.limits.maxMessageBytes)
        return 0
    }

    /// A refusal is an error only to carry it through `Result`.
    private struct Refusal: Error {
        let response: HTTPResponse
    }

    private func admit(_ request: HTTPRequest) -> Result<ConnectionState.Handshake, Refusal> {
        guard request.path == "/" || request.path == FeedRequest.path else { return .failure(Refusal(response: .plain(404))) }
        if let status = counter.upgradeRefusal(for: request.peerAddress) { return .failure(Refusal(response: .plain(status))) }
        let subject: String?
        switch access.admitUpgrade(request, own: ownOrigins) {
        case .refused(let response): return .failure(Refusal(response: response))
        case .allowed(let allowed): subject = allowed
        }
        // After the token check, so that a bad token is still told 401.
        guard request.offersBridgeSubprotocol else { return .failure(Refusal(response: .plain(400))) }
        var feed: FeedRequest?
        if request.path == FeedRequest.path {
            guard let parsed = FeedRequest(query: request.query) else { return .failure(Refusal(response: .plain(400))) }
            feed = parsed
        }
        return .success(.init(peerAddress: request.peerAddress, subject: subject, origin: request.origin, isTLS: isTLS, feed: feed))
    }

    private func serveHTTP(_ connection: LWSConnection, path: String) -> Int32 {
        var uri: UnsafeMutablePointer<CChar>?
        var uriLength: Int32 = 0
        let method = lws_http_get_uri_and_method(connection.pointer, &uri, &uriLength)
        let request = HTTPRequest(wsi: connection.pointer, path: path)
        let response = routes.response(to: request, isGet: method == Int32(LWSHUMETH_GET))
        guard response.write(to: connection.pointer) else { return -1 }
        return lws_http_transaction_completed(connection.pointer) == 0 ? 0 : -1
    }

    // MARK: Clients

    /// Announces the client to the host, then (feed mode) subscribes on its behalf.
    private func established(_ connection: LWSConnection) -> Int32 {
        guard let state = connections[connection] else { return -1 }
        if configuration.permessageDeflate { Self.boundDeflateMemory(connection.pointer) }
        registry.beginOpening()
        guard let id = host.clientOpened(peerInfo: PeerInfo(state.handshake).json) else {
            registry.finishOpening(nil)
            state.ending("refused by the bridge")
            lws_close_reason(connection.pointer, LWS_CLOSE_STATUS_POLICY_VIOLATION, nil, 0)
            return -1
        }
        let client = WebSocketClient(id: id, connection: connection, limits: configuration.limits, host: host)
        state.client = client
        registry.finishOpening(client)
        metrics.connectionsAccepted.add(1, ordering: .relaxed)
        if let feed = state.handshake.feed {
            host.clientMessage(id, feed.message())
        }
        return 0
    }

    private func receive(_ connection: LWSConnection, _ bytes: UnsafeRawBufferPointer) -> Int32 {
        guard let state = connections[connection], let client = state.client else { return -1 }
        let wsi = connection.pointer
        if let violation = maskingViolation(wsi) {
            metrics.protocolViolations.add(1, ordering: .relaxed)
            state.ending(violation)
            Self.setCloseReason(wsi, code: LWS_CLOSE_STATUS_PROTOCOL_ERR, reason: violation)
            return -1
        }
        let piece = MessageAssembler.Piece(bytes: bytes, isFirst: lws_is_first_fragment(wsi) != 0,
                                           isFinal: lws_is_final_fragment(wsi) != 0, isBinary: lws_frame_is_binary(wsi) != 0,
                                           remainingInFrame: Int(lws_remaining_packet_payload(wsi)))
        var violation: (code: lws_close_status, reason: String)?
        state.assembler.append(piece) { event in
            switch event {
            case .message(let message):
                metrics.messagesIn.add(1, ordering: .relaxed)
                host.clientMessage(client.id, message)
            case .tooLarge:
                violation = (LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, "message exceeds \(configuration.limits.maxMessageBytes) bytes")
            case .binary:
                violation = (LWS_CLOSE_STATUS_UNACCEPTABLE_OPCODE, "text frames only")
            }
        }
        guard let violation else { return 0 }
        metrics.protocolViolations.add(1, ordering: .relaxed)
        state.ending(violation.reason)
        Self.setCloseReason(wsi, code: violation.code, reason: violation.reason)
        return -1
    }

    /// Writes queued messages while the socket takes them (as libwebsockets' own mirror
    /// server does): one poll round trip per message would cap fan-out far below what the
    /// kernel can carry. A cap per callback keeps one busy client from starving the others.
    /// Ends the connection once a close has drained its queue.
    private func writable(_ connection: LWSConnection) -> Int32 {
        guard let state = connections[connection], let client = state.client else { return 0 }
        var written = 0
        var cork = SocketCork(fd: lws_get_socket_fd(connection.pointer))
        defer { cork.release() }
        while true {
            switch client.outbox.take(until: .now) {
            case .message(let message, let more):
                // Several messages for one client leave in as few segments as the kernel can
                // make of them: per segment, loopback and TLS cost far more than per byte.
                if more { cork.hold() }
                guard write(message, to: connection.pointer) else {
                    state.ending("write failed")
                    return -1
                }
                written += 1
                // Asking whether the socket takes more costs a poll() syscall: only when there
                // is more. One queued meanwhile asks the service thread for a callback of its own.
                guard more else { return 0 }
                if written >= Self.maxWritesPerCallback || lws_send_pipe_choked(connection.pointer) != 0 {
                    lws_callback_on_writable(connection.pointer)
                    return 0
                }
            case .timedOut:
                return 0
            case .finished:
                // The close frame goes in a callback of its own, after what was written here.
                if written > 0 {
                    lws_callback_on_writable(connection.pointer)
                    return 0
                }
                let close = client.requestedClose ?? .init(code: 1001, reason: "bridge shutting down")
                state.ending("closed by the bridge: \(close.reason)")
                Self.setCloseReason(connection.pointer, code: lws_close_status(rawValue: close.code), reason: close.reason)
                return -1
            }
        }
    }

    private func write(_ message: SharedMessage, to wsi: OpaquePointer) -> Bool {
        let headroom = Int(clws_pre())
        // Messages from the host carry the headroom; anything else is copied once to get it.
        let framed = message.headroom >= headroom ? message : message.withBytes { SharedMessage(bytes: $0, headroom: headroom) }
        let written = framed.storage.withUnsafeBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -1 }
            // lws writes the frame header into the headroom in front of the payload; only
            // this thread writes, so sharing the buffer between clients is safe.
            return lws_write(wsi, UnsafeMutablePointer(mutating: base) + framed.headroom, framed.count, LWS_WRITE_TEXT)
        }
        guard written >= 0 else { return false }
        metrics.messagesOut.add(1, ordering: .relaxed)
        metrics.bytesOut.add(framed.count, ordering: .relaxed)
        return true
    }

    /// Gives the service thread's attention to the clients that asked for it: arms the
    /// close timeout of a client being closed, and asks lws for a writable callback.
    private func serveWaitingClients() {
        for client in registry.takeWaiting() {
            guard let state = connections[client.connection], state.client === client else { continue }
            if !state.closeTimeoutArmed, client.requestedClose != nil {
                state.closeTimeoutArmed = true
                // Flushing the queue and the close frame may take this long, then lws drops the connection.
                let seconds = Int32(min(max(configuration.limits.closeTimeoutSeconds.rounded(.up), 1), 86_400))
                lws_set_timeout(client.connection.pointer, PENDING_TIMEOUT_USER_OK, seconds)
            }
            lws_callback_on_writable(client.connection.pointer)
        }
    }

    /// The WebSocket has closed: the host is told, once.
    private func closed(_ connection: LWSConnection) {
        guard let state = connections[connection], let client = state.client else { return }
        state.client = nil
        registry.remove(client.id)
        client.outbox.discardAll()
        host.clientClosed(client.id, reason: state.endReason ?? "connection lost")
    }

    /// lws frees the connection (whatever it was): the last chance to forget it.
    private func destroyed(_ connection: LWSConnection) {
        let address = accepted.removeValue(forKey: connection)
        if connections[connection] != nil { closed(connection) }
        if let state = connections.removeValue(forKey: connection) {
            counter.close(state.handshake.peerAddress, wasUpgraded: true)
        } else if let address {
            counter.close(address, wasUpgraded: false)
        }
    }

    /// Why the frame being received must end the connection (RFC 6455 §5.1: clients mask
    /// every frame), or nil. Where lws' state cannot be read, frames pass unchecked, and
    /// the log says so once.
    private func maskingViolation(_ wsi: OpaquePointer) -> String? {
        switch clws_frame_is_unmasked(wsi) {
        case 1:
            return "client frames must be masked"
        case 0:
            return nil
        default:
            if !maskCheckUnavailableLogged {
                maskCheckUnavailableLogged = true
                host.log(BRIDGE_LOG_WARNING, "this libwebsockets (\(String(cString: lws_get_library_version()))) does not let the websocket transport check that client frames are masked: unmasked frames are accepted")
            }
            return nil
        }
    }

    // MARK: Helpers

    private static func setCloseReason(_ wsi: OpaquePointer, code: lws_close_status, reason: String) {
        var text = Array(reason.utf8.prefix(123))
        text.withUnsafeMutableBufferPointer { lws_close_reason(wsi, code, $0.baseAddress, $0.count) }
    }

    /// permessage-deflate's compressor uses a 1 KiB window and small state per connection
    /// (about 12 KiB instead of 256 KiB); clients still decompress with any window.
    private static func boundDeflateMemory(_ wsi: OpaquePointer) {
        _ = lws_set_extension_option(wsi, "permessage-deflate", "server_max_window_bits", "10")
        _ = lws_set_extension_option(wsi, "permessage-deflate", "mem_level", "4")
    }

    private static func peerCloseDescription(_ payload: UnsafeRawBufferPointer) -> String {
        guard payload.count >= 2 else { return "closed by the client" }
        return "closed by the client (code \(Int(payload[0]) << 8 | Int(payload[1])))"
    }
}
