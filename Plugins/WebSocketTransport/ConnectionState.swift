/// What the service thread knows about one accepted WebSocket connection, from its
/// handshake until lws destroys it. Service thread only.
final class ConnectionState {
    /// What the handshake established, kept until the client is announced.
    struct Handshake {
        let peerAddress: String
        let subject: String?
        let origin: String?
        let isTLS: Bool
        let feed: FeedRequest?
    }

    let handshake: Handshake
    var assembler: MessageAssembler
    /// Set once the host knows the client; cleared when it is told the client is gone.
    var client: WebSocketClient?
    /// Why the connection is ending, for the host's log (set by whoever ends it first).
    var endReason: String?
    var closeTimeoutArmed = false

    init(handshake: Handshake, maxMessageBytes: Int) {
        self.handshake = handshake
        assembler = MessageAssembler(limit: maxMessageBytes)
    }

    /// Records why the connection ends, unless a reason is already known.
    func ending(_ reason: String) {
        if endReason == nil { endReason = reason }
    }
}
