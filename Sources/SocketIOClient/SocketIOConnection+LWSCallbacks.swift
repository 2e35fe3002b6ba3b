import CLibWebSockets
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// lws callbacks for the connection (service thread): receive, write, close.
extension SocketIOConnection {
    // MARK: - lws callbacks (service thread)

    func handle(wsi: OpaquePointer, reason: lws_callback_reasons, user: UnsafeMutableRawPointer?,
                input: UnsafeMutableRawPointer?, length: Int) -> Int32 {
        switch reason {
        case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
            drainRequests()
            return 0

        case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
            guard wsi == self.wsi || (insideConnectCall && self.wsi == nil) else { return 0 }
            let detail = input.map { describe($0, length) } ?? "unknown error"
            self.wsi = nil
            connectionLost(.disconnected(reason: "connection failed: \(detail)"), closeTransport: false)
            return 0

        case LWS_CALLBACK_CLIENT_ESTABLISHED:
            guard wsi == self.wsi, phase == .connecting else { return -1 }
            phase = .opening
            lastReceive = monotonicSeconds()
            logger.debug("socket.io WebSocket established")
            return 0

        case LWS_CALLBACK_CLIENT_RECEIVE:
            guard wsi == self.wsi else { return -1 }
            return receive(wsi, input, length)

        case LWS_CALLBACK_CLIENT_WRITEABLE:
            guard wsi == self.wsi else { return -1 }
            return writable(wsi)

        case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
            if wsi == self.wsi {
                var code = 0
                if let input, length >= 2 {
                    let bytes = input.assumingMemoryBound(to: UInt8.self)
                    code = Int(bytes[0]) << 8 | Int(bytes[1])
                }
                peerCloseReason = "server closed the WebSocket (code \(code))"
            }
            return 0

        case LWS_CALLBACK_CLIENT_CLOSED, LWS_CALLBACK_WSI_DESTROY:
            guard wsi == self.wsi else { return 0 }
            self.wsi = nil
            if phase == .closing { return 0 }
            connectionLost(.disconnected(reason: peerCloseReason ?? "connection closed"), closeTransport: false)
            return 0

        default:
            return lws_callback_http_dummy(wsi, reason, user, input, length)
        }
    }

    func describe(_ input: UnsafeMutableRawPointer, _ length: Int) -> String {
        // lws passes a C string here; `length` is not always set, so bound the scan.
        let bytes = input.assumingMemoryBound(to: UInt8.self)
        var count = 0
        let limit = length > 0 ? min(length, 512) : 512
        while count < limit, bytes[count] != 0 { count += 1 }
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    func receive(_ wsi: OpaquePointer, _ input: UnsafeMutableRawPointer?, _ length: Int) -> Int32 {
        lastReceive = monotonicSeconds()
        if lws_is_first_fragment(wsi) != 0 { rx.removeAll(keepingCapacity: rx.capacity <= 1 << 20) }
        guard rx.count + length <= configuration.maxMessageSize else {
            connectionLost(.disconnected(reason: "incoming message exceeds \(configuration.maxMessageSize) bytes"),
                           closeTransport: true)
            return -1
        }
        if let input, length > 0 {
            rx.append(contentsOf: UnsafeRawBufferPointer(start: input, count: length))
        }
        guard lws_is_final_fragment(wsi) != 0, lws_remaining_packet_payload(wsi) == 0 else { return 0 }
        let message = rx
        rx = []
        if lws_frame_is_binary(wsi) != 0 {
            logger.debug("socket.io ignoring a binary message of \(message.count) bytes")
            return 0
        }
        return process(message) ? 0 : -1
    }

    /// Handles one complete Engine.IO text frame; false when the connection was dropped.
}
