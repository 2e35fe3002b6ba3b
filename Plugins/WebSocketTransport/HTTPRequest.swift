import CLibWebSockets

/// What a client's HTTP request (plain, or a WebSocket upgrade) says, read from the
/// headers lws parsed. Paths and query values arrive URL-decoded. Service thread only.
struct HTTPRequest {
    var path: String
    /// `name=value` pairs of the query, in order.
    var query: [(name: String, value: String)]
    var origin: String?
    var authorization: String?
    /// `Sec-WebSocket-Protocol` entries.
    var subprotocols: [String]
    var peerAddress: String

    init(wsi: OpaquePointer, path: String) {
        self.path = path
        query = Self.queryArguments(wsi)
        origin = Self.header(wsi, WSI_TOKEN_ORIGIN)
        authorization = Self.header(wsi, WSI_TOKEN_HTTP_AUTHORIZATION)
        subprotocols = (Self.header(wsi, WSI_TOKEN_PROTOCOL) ?? "")
            .split(separator: ",").map { Substring($0).trimmingWhitespace }.filter { !$0.isEmpty }
        var address = [CChar](repeating: 0, count: 128)
        let peer = lws_get_peer_simple(wsi, &address, address.count)
        peerAddress = peer.map { String(cString: $0) } ?? "unknown"
    }

    /// The path of the request being upgraded to a WebSocket.
    static func upgradePath(_ wsi: OpaquePointer) -> String {
        header(wsi, WSI_TOKEN_GET_URI) ?? ""
    }

    func queryValue(_ name: String) -> String? {
        query.first { $0.name == name }?.value
    }

    /// The bearer token, from (in this order) `Authorization: Bearer`, a `bearer.<token>`
    /// subprotocol, or the `token` query parameter.
    var bearerToken: String? {
        if let authorization, authorization.count > 7, authorization.prefix(7).lowercased() == "bearer " {
            return Substring(authorization.dropFirst(7)).trimmingWhitespace
        }
        if let offered = subprotocols.first(where: { $0.hasPrefix(WebSocketProtocol.tokenPrefix) }) {
            return String(offered.dropFirst(WebSocketProtocol.tokenPrefix.count))
        }
        return queryValue("token")
    }

    private static func header(_ wsi: OpaquePointer, _ token: lws_token_indexes) -> String? {
        let length = Int(lws_hdr_total_length(wsi, token))
        guard length > 0 else { return nil }
        var buffer = [CChar](repeating: 0, count: length + 1)
        guard lws_hdr_copy(wsi, &buffer, Int32(buffer.count), token) >= 0 else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func queryArguments(_ wsi: OpaquePointer) -> [(name: String, value: String)] {
        let total = Int(lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_URI_ARGS))
        guard total > 0 else { return [] }
        var buffer = [CChar](repeating: 0, count: total + 1)
        var arguments: [(name: String, value: String)] = []
        var index: Int32 = 0
        while lws_hdr_copy_fragment(wsi, &buffer, Int32(buffer.count), WSI_TOKEN_HTTP_URI_ARGS, index) >= 0 {
            let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if let equals = text.firstIndex(of: "=") {
                arguments.append((String(text[..<equals]), String(text[text.index(after: equals)...])))
            } else if !text.isEmpty {
                arguments.append((text, ""))
            }
            index += 1
        }
        return arguments
    }
}
