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
        var messages = 0
        var bytes = 0
    }

    let maxMessages: Int
    /// Bytes waiting over all clients beyond which a client that sends ahead of its answers
    /// is refused (one with nothing waiting still gets its message through).
    let maxTotalBytes: Int
    private var byClient: [UInt64: Waiting] = [:]
    /// Over all clients, those closed with messages still being answered included.
    private(set) var totalBytes = 0

    init(maxMessages: Int, maxTotalBytes: Int) {
        self.maxMessages = maxMessages
        self.maxTotalBytes = maxTotalBytes
    }

    /// A client that may have `maxBytes` waiting.
    mutating func open(_ client: UInt64, maxBytes: Int) {
        byClient[client] = Waiting(maxBytes: maxBytes)
    }

    /// Forgets the client; what it has waiting still counts in the total until answered.
    mutating func close(_ client: UInt64) {
        byClient[client] = nil
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
        if waiting.messages > 0, totalBytes + count > maxTotalBytes {
            return .refused("requests ahead of its answers while the bridge holds more than \(maxTotalBytes) bytes of requests from all clients")
        }
        waiting.messages += 1
        waiting.bytes += count
        byClient[client] = waiting
        totalBytes += count
        return .admitted
    }

    /// A message of `count` bytes from `client` was answered.
    mutating func answered(_ count: Int, for client: UInt64) {
        byClient[client]?.messages -= 1
        byClient[client]?.bytes -= count
        totalBytes -= count
    }
}
