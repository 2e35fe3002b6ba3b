/// Open WebSocket connections, in total and per client address, against the
/// `max_connections` and `max_connections_per_ip` limits. Service thread only.
struct ConnectionCounter {
    let maxTotal: Int
    let maxPerAddress: Int
    private(set) var total = 0
    private var perAddress: [String: Int] = [:]

    init(maxTotal: Int, maxPerAddress: Int) {
        self.maxTotal = maxTotal
        self.maxPerAddress = maxPerAddress
    }

    /// Why `address` may not open another connection now (an HTTP status), or nil.
    func refusal(for address: String) -> UInt32? {
        if total >= maxTotal { return 503 }
        if perAddress[address, default: 0] >= maxPerAddress { return 429 }
        return nil
    }

    mutating func add(_ address: String) {
        total += 1
        perAddress[address, default: 0] += 1
    }

    mutating func remove(_ address: String) {
        total -= 1
        let left = perAddress[address, default: 1] - 1
        perAddress[address] = left > 0 ? left : nil
    }
}
