/// The most recently encoded replay pages, by key, bounded in count (oldest out first).
struct ReplayPageCache {
    private let capacity: Int
    private var pages: [String: [UInt8]] = [:]
    private var order: [String] = []

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// The page for `key`, encoding it with `encode` only when it is not held.
    mutating func bytes(for key: String, _ encode: () -> [UInt8]) -> [UInt8] {
        if let held = pages[key] { return held }
        let bytes = encode()
        pages[key] = bytes
        order.append(key)
        if order.count > capacity { pages[order.removeFirst()] = nil }
        return bytes
    }
}
