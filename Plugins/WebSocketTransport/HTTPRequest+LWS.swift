import CLibWebSockets

/// Reading a request from the headers lws parsed. Service thread only, while lws still
/// holds the connection's headers (HTTP and upgrade callbacks).
extension HTTPRequest {
    init(wsi: OpaquePointer, path: String) {
        var address = [CChar](repeating: 0, count: 128)
        let peer = lws_get_peer_simple(wsi, &address, address.count)
        self.init(path: path, queryArguments: Self.queryArguments(wsi), origin: Self.header(wsi, WSI_TOKEN_ORIGIN),
                  authorization: Self.header(wsi, WSI_TOKEN_HTTP_AUTHORIZATION),
                  subprotocolHeader: Self.header(wsi, WSI_TOKEN_PROTOCOL),
                  peerAddress: peer.map { String(cString: $0) } ?? "unknown")
    }

    /// The path of the request being upgraded to a WebSocket.
    static func upgradePath(_ wsi: OpaquePointer) -> String {
        header(wsi, WSI_TOKEN_GET_URI) ?? ""
    }

    private static func header(_ wsi: OpaquePointer, _ token: lws_token_indexes) -> String? {
        let length = Int(lws_hdr_total_length(wsi, token))
        guard length > 0 else { return nil }
        var buffer = [CChar](repeating: 0, count: length + 1)
        guard lws_hdr_copy(wsi, &buffer, Int32(buffer.count), token) >= 0 else { return nil }
        return text(buffer)
    }

    private static func queryArguments(_ wsi: OpaquePointer) -> [String] {
        let total = Int(lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_URI_ARGS))
        guard total > 0 else { return [] }
        var buffer = [CChar](repeating: 0, count: total + 1)
        var arguments: [String] = []
        var index: Int32 = 0
        while lws_hdr_copy_fragment(wsi, &buffer, Int32(buffer.count), WSI_TOKEN_HTTP_URI_ARGS, index) >= 0 {
            arguments.append(text(buffer))
            index += 1
        }
        return arguments
    }

    private static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
