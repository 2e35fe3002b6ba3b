/// Names used on the wire by the WebSocket transport.
enum WebSocketProtocol {
    /// The subprotocol the bridge speaks (JSON-RPC, one message per text frame). Clients
    /// that send `Sec-WebSocket-Protocol` must offer it first.
    static let name = "unicat-bridge"
    /// A subprotocol entry carrying the bearer token: `bearer.<token>` (for browsers,
    /// which cannot set an Authorization header on a WebSocket).
    static let tokenPrefix = "bearer."
    /// Longest `Sec-WebSocket-Protocol` header libwebsockets 4.1 reads (it copies the list
    /// into 128 bytes with its terminator); a longer one it drops unanswered.
    static let maxSubprotocolHeaderBytes = 126
    /// The id of the `sync.subscribe` request a feed connection makes on the client's behalf.
    static let feedRequestID = "feed"
}
