/// What clients have waiting (messages received and not yet answered, the one being
/// answered included), per client and over all of them, and whether one more may wait:
/// what a client can make the bridge hold by sending ahead of its answers is bounded.
struct PendingRequests {
    enum Admission: Equatable {
        case admitted
        /// The client is closed (or was never opened): the message is dropped.
        case unknownClient
        /// The client is to be cut off, for this reason.
        case refused(String)
    }

    private struct Waiting {
        let maxBytes: Int
        let peer: String?
        var messages = 0
        var bytes = 0
    }

    /// Connections of one peer (an address, a uid) share a budget of this many times one
    /// connection's: a few connections work side by side, a thousand do not hold a thousand
    /// budgets.
    static let peerShare = 4

    let maxMessages: Int
    /// Bytes waiting over all clients beyond which a client that sends ahead of its answers
    /// is refused (one with nothing waiting still gets its message through).
    let maxTotalBytes: Int
    private var byClient: [UInt64: Waiting] = [:]
    /// Bytes waiting per peer, over its open connections.
    private var byPeer: [String: Int] = [:]
    /// Over all clients, those closed with messages still being answered included.
    private(set) var totalBytes = 0

    init(maxMessages: Int, maxTotalBytes: Int) {
        self.maxMessages = maxMessages
        self.maxTotalBytes = maxTotalBytes
    }

    /// A client that may have `maxBytes` waiting, and its peer `peerShare` times that over
    /// all its connections (nil: a peer of its own).
    mutating func open(_ client: UInt64, maxBytes: Int, peer: String? = nil) {
        byClient[client] = Waiting(maxBytes: maxBytes, peer: peer)
    }

    /// Forgets the client; what it has waiting still counts in the total until answered
    /// (not in its peer's: that is for open connections).
    mutating func close(_ client: UInt64) {
        guard let closed = byClient.removeValue(forKey: client), let peer = closed.peer else { return }
        take(closed.bytes, from: peer)
    }

    private mutating func take(_ count: Int, from peer: String) {
        byPeer[peer, default: 0] -= count
        if byPeer[peer] == 0 { byPeer[peer] = nil }
    }

    /// Counts a message of `count` bytes in, unless it would overstep a bound.
    mutating func admit(_ count: Int, from client: UInt64) -> Admission {
        guard var waiting = byClient[client] else { return .unknownClient }
        if waiting.messages >= maxMessages {
            return .refused("more than \(maxMessages) requests waiting for answers")
        }
        if waiting.bytes + count > waiting.maxBytes {
            return .refused("more than \(waiting.maxBytes) bytes of requests waiting for answers")
        }
        if let peer = waiting.peer, byPeer[peer, default: 0] + count > waiting.maxBytes * Self.peerShare {
            return .refused("more than \(waiting.maxBytes * Self.peerShare) bytes of requests waiting for answers from \(peer) "
                            + "over all its connections")
        }
        if waiting.messages > 0, totalBytes + count > maxTotalBytes {
            return .refused("requests ahead of its answers while the bridge holds more than \(maxTotalBytes) bytes of requests from all clients")
        }
        waiting.messages += 1
        waiting.bytes += count
        byClient[client] = waiting
        if let peer = waiting.peer { byPeer[peer, default: 0] += count }
        totalBytes += count
        return .admitted
    }

    /// A message of `count` bytes from `client` was answered.
    mutating func answered(_ count: Int, for client: UInt64) {
        if let peer = byClient[client]?.peer { take(count, from: peer) }
        byClient[client]?.messages -= 1
        byClient[client]?.bytes -= count
        totalBytes -= count
    }
}
