import CLibWebSockets
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Engine.IO and Socket.IO handling of complete incoming frames (service thread).
extension SocketIOConnection {
    func process(_ frame: [UInt8]) -> Bool {
        let packet: EngineIOPacket
        do {
            packet = try EngineIOPacket.decode(frame)
        } catch {
            logger.warning("socket.io ignoring a malformed Engine.IO frame: \(error)")
            return true
        }
        switch packet {
        case .open(let open):
            guard phase == .opening else {
                logger.debug("socket.io ignoring an unexpected Engine.IO OPEN")
                return true
            }
            heartbeatWindow = Double(open.pingInterval + open.pingTimeout) / 1000
            shared.withLock { $0.maxPayload = open.maxPayload }
            logger.debug("socket.io Engine.IO open", metadata: [
                "pingInterval": "\(open.pingInterval)", "pingTimeout": "\(open.pingTimeout)",
                "maxPayload": "\(open.maxPayload)",
            ])
            sendControl(SocketIOPacket.connectFrame(authJSON: currentAuth(), namespace: configuration.namespace))
            phase = .handshaking
        case .ping(let data):
            sendControl(EngineIOPacket.pongFrame(echoing: data))
        case .close:
            connectionLost(.disconnected(reason: "server closed the Engine.IO session"), closeTransport: true)
            return false
        case .message(let payload):
            return handleSocketIO(frame, payload)
        case .pong, .upgrade, .noop:
            break
        }
        return true
    }

    /// The auth payload for this attempt; never logged (it carries the JWT).
    func currentAuth() -> String? {
        guard let auth = configuration.auth() else { return nil }
        let bytes = Array(auth.utf8)
        let whole = JSONText.trimmed(bytes, 0..<bytes.count)
        guard (try? JSONText.objectMembers(bytes, whole)) != nil else {
            logger.error("socket.io auth payload is not a JSON object; connecting without auth")
            return nil
        }
        return JSONText.text(bytes, whole)
    }

    func handleSocketIO(_ frame: [UInt8], _ payload: Range<Int>) -> Bool {
        let packet: SocketIOPacket
        do {
            packet = try SocketIOPacket.decode(frame, payload)
        } catch .binaryNotSupported {
            logger.debug("socket.io ignoring a binary packet (not used by this client)")
            return true
        } catch {
            logger.warning("socket.io ignoring a malformed packet: \(error)")
            return true
        }
        switch packet {
        case .connect(let namespace, let sid):
            guard namespace == configuration.namespace, phase == .handshaking else { return true }
            phase = .connected
            connectedSince = monotonicSeconds()
            shared.withLock { $0.connected = true }
            context?.scheduleTimer(after: heartbeatWindow)
            logger.info("socket.io connected", metadata: ["sid": "\(sid ?? "")"])
            emit(.connected(sid: sid ?? ""))
        case .connectError(let namespace, let message, let data):
            guard namespace == configuration.namespace else { return true }
            connectionLost(.connectError(message: message, dataJSON: data), closeTransport: true)
            return false
        case .disconnect(let namespace):
            guard namespace == configuration.namespace else { return true }
            connectionLost(.disconnected(reason: "server disconnected the namespace"), closeTransport: true)
            return false
        case .event(let namespace, let name, let arguments, let ackId):
            guard namespace == configuration.namespace, phase == .connected else { return true }
            logger.debug("socket.io event", metadata: ["name": "\(name)", "bytes": "\(arguments.utf8.count)"])
            emit(.event(name: name, argumentsJSON: arguments))
            // The API has no reply path, so answer requested acks at once with no arguments
            // (what python-socketio does for a handler returning None).
            if let ackId, let reply = try? SocketIOPacket.ackFrame(id: ackId, argumentsJSON: "[]", namespace: configuration.namespace) {
                sendControl(reply)
            }
        case .ack(let namespace, let id, let arguments):
            guard namespace == configuration.namespace else { return true }
            guard let pending = shared.withLock({ $0.acks.removeValue(forKey: id) }) else {
                logger.debug("socket.io ignoring an ack for unknown id \(id)")
                return true
            }
            pending.timeoutTask?.cancel()
            pending.continuation.resume(returning: arguments)
        }
        return true
    }

    func sendControl(_ text: String) {
        control.append(OutgoingFrame(text))
        if let wsi { lws_callback_on_writable(wsi) }
    }

    /// One `lws_write` per writable callback: our control frames first, then the outbox.
    func writable(_ wsi: OpaquePointer) -> Int32 {
        var frame: OutgoingFrame?
        if !control.isEmpty {
            frame = control.removeFirst()
        } else if phase == .connected {
            frame = shared.withLock { $0.outbox.popFirst() }
        }
        if var frame {
            let count = frame.payloadCount
            let written = frame.storage.withUnsafeMutableBufferPointer { buffer -> Int32 in
                guard let base = buffer.baseAddress else { return -1 }
                return lws_write(wsi, base + lwsHeadroom, count, LWS_WRITE_TEXT)
            }
            if written < count {
                connectionLost(.disconnected(reason: "write failed"), closeTransport: true)
                return -1
            }
        }
        if phase == .closing, control.isEmpty {
            lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, nil, 0)
            return -1
        }
        let more = !control.isEmpty || (phase == .connected && shared.withLock { !$0.outbox.isEmpty })
        if more { lws_callback_on_writable(wsi) }
        return 0
    }
}
