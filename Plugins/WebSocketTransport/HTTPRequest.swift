import BridgePluginKit

/// What a client's HTTP request (plain, or a WebSocket upgrade) says, from the header values
/// lws parsed (`HTTPRequest+LWS.swift` reads them). Paths and query values arrive
/// URL-decoded. Kept apart from lws so that the parsing here can be fuzzed on its own.
struct HTTPRequest {
    var path: String
    /// `name=value` pairs of the query, in order.
    var query: [(name: String, value: String)]
    var origin: String?
    var authorization: String?
    /// The `Sec-WebSocket-Protocol` header as sent, and its entries.
    var subprotocolHeader: String?
    var subprotocols: [String]
    var peerAddress: String

    /// `queryArguments`: the query's `&`-separated pieces, each `name=value` or a bare name.
    init(path: String, queryArguments: [String], origin: String?, authorization: String?, subprotocolHeader: String?,
         peerAddress: String) {
        self.path = path
        query = queryArguments.compactMap(Self.pair)
        self.origin = origin
        self.authorization = authorization
        self.subprotocolHeader = subprotocolHeader
        subprotocols = (subprotocolHeader ?? "")
            .split(separator: ",").map { Substring($0).trimmingWhitespace }.filter { !$0.isEmpty }
        self.peerAddress = peerAddress
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

    /// Whether libwebsockets will settle on the bridge's subprotocol by itself: none offered,
    /// or `unicat-bridge` first, in a header short enough for lws to read. Otherwise lws drops
    /// the handshake unanswered and logs the header, which may carry a `bearer.` token.
    /// Judged on the bytes as lws reads them: only spaces and tabs may surround the name
    /// (lws would take other Unicode whitespace as part of it), then a comma or the end.
    var offersBridgeSubprotocol: Bool {
        guard let subprotocolHeader else { return true }
        let bytes = Array(subprotocolHeader.utf8)
        guard bytes.count <= WebSocketProtocol.maxSubprotocolHeaderBytes else { return false }
        let start = bytes.firstIndex { !Self.isSpaceOrTab($0) } ?? bytes.count
        let name = Array(WebSocketProtocol.name.utf8)
        guard bytes[start...].starts(with: name) else { return false }
        let rest = bytes[(start + name.count)...].drop(while: Self.isSpaceOrTab)
        return rest.first.map { $0 == UInt8(ascii: ",") } ?? true
    }

    private static func isSpaceOrTab(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    private static func pair(_ argument: String) -> (name: String, value: String)? {
        if let equals = argument.firstIndex(of: "=") {
            return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
        }
        return argument.isEmpty ? nil : (argument, "")
    }
}
