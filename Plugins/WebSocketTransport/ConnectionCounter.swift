/// Open connections, in total and per client address, counted from the moment they are
/// accepted. A connection is *unfinished* until it is upgraded to a WebSocket: a handshake
/// still arriving, a refused one, or plain HTTP. Unfinished connections are bounded per
/// address (`max_handshakes_per_ip`) at accept, so that one address cannot hold the header
/// slots everyone's handshake needs; WebSockets are bounded (`max_connections`,
/// `max_connections_per_ip`) at the upgrade, where a refusal can still say why.
/// Service thread only.
struct ConnectionCounter {
    let maxTotal: Int
    let maxPerAddress: Int
    let maxUnfinishedPerAddress: Int
    private(set) var total = 0
    private var upgraded: [String: Int] = [:]
    private var unfinished: [String: Int] = [:]

    init(maxTotal: Int, maxPerAddress: Int, maxUnfinishedPerAddress: Int) {
        self.maxTotal = maxTotal
        self.maxPerAddress = maxPerAddress
        self.maxUnfinishedPerAddress = maxUnfinishedPerAddress
    }

    /// Counts a connection just accepted from `address`; false (nothing counted) when the
    /// address already has as many unfinished connections as it may.
    mutating func accept(_ address: String) -> Bool {
        guard unfinished[address, default: 0] < maxUnfinishedPerAddress else { return false }
        unfinished[address, default: 0] += 1
        return true
    }

    /// Why `address` may not upgrade another connection now (an HTTP status), or nil.
    func upgradeRefusal(for address: String) -> UInt32? {
        if total >= maxTotal { return 503 }
        if upgraded[address, default: 0] >= maxPerAddress { return 429 }
        return nil
    }

    /// One of the address's accepted connections became a WebSocket.
    mutating func upgrade(_ address: String) {
        Self.decrement(&unfinished, address)
        total += 1
        upgraded[address, default: 0] += 1
    }

    /// An accepted connection is gone; `wasUpgraded` tells which count it was in.
    mutating func close(_ address: String, wasUpgraded: Bool) {
        if wasUpgraded {
            total -= 1
            Self.decrement(&upgraded, address)
        } else {
            Self.decrement(&unfinished, address)
        }
    }

    private static func decrement(_ counts: inout [String: Int], _ address: String) {
        let left = counts[address, default: 1] - 1
        counts[address] = left > 0 ? left : nil
    }
}
