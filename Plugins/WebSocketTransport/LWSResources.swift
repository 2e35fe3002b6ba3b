import CLibWebSockets

/// The C memory libwebsockets keeps pointers to for the life of a context: the protocol
/// and extension tables, the idle policy and every string handed over in creation info.
/// Freed by `release()`, after `lws_context_destroy`.
final class LWSResources {
    let protocols: UnsafeMutablePointer<lws_protocols>
    let extensions: UnsafeMutablePointer<lws_extension>?
    let idlePolicy: UnsafeMutablePointer<lws_retry_bo_t>
    private var strings: [(pointer: UnsafeMutablePointer<CChar>, count: Int)] = []

    /// `webSocketCallback` serves the one protocol; `deflate` adds permessage-deflate.
    init(receiveBufferBytes: Int, deflate: Bool, pingSeconds: Int, idleSeconds: Int) {
        protocols = .allocate(capacity: 2)
        protocols.initialize(repeating: lws_protocols(), count: 2)  // [1] stays zero: the terminator
        idlePolicy = .allocate(capacity: 1)
        idlePolicy.initialize(to: lws_retry_bo_t())
        idlePolicy.pointee.secs_since_valid_ping = UInt16(pingSeconds)
        idlePolicy.pointee.secs_since_valid_hangup = UInt16(idleSeconds)
        if deflate {
            let table = UnsafeMutablePointer<lws_extension>.allocate(capacity: 2)
            table.initialize(repeating: lws_extension(), count: 2)
            extensions = table
        } else {
            extensions = nil
        }
        protocols[0].name = string(WebSocketProtocol.name)
        protocols[0].callback = webSocketCallback
        protocols[0].per_session_data_size = 0
        protocols[0].rx_buffer_size = receiveBufferBytes
        if let extensions {
            extensions[0].name = string("permessage-deflate")
            extensions[0].callback = lws_extension_callback_pm_deflate
            extensions[0].client_offer = string("permessage-deflate; client_max_window_bits")
        }
    }

    /// A C copy of `text` that lives as long as these resources.
    func string(_ text: String) -> UnsafePointer<CChar> {
        let characters = Array(text.utf8CString)
        let copy = UnsafeMutablePointer<CChar>.allocate(capacity: characters.count)
        copy.initialize(from: characters, count: characters.count)
        strings.append((copy, characters.count))
        return UnsafePointer(copy)
    }

    func release() {
        protocols.deinitialize(count: 2)
        protocols.deallocate()
        extensions?.deinitialize(count: 2)
        extensions?.deallocate()
        idlePolicy.deinitialize(count: 1)
        idlePolicy.deallocate()
        for string in strings {
            string.pointer.deinitialize(count: string.count)
            string.pointer.deallocate()
        }
        strings = []
    }
}
