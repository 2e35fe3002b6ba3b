/// A FIFO of messages bounded both in count and in total bytes, used for every per-client
/// outgoing queue so that nothing in the bridge grows without limit.
///
/// Not thread-safe by itself: owners guard it with their own lock.
public struct BoundedQueue<Element> {
    public let maxCount: Int
    public let maxBytes: Int
    public private(set) var byteCount = 0
    private var storage: [(element: Element, size: Int)] = []
    private var head = 0

    public init(maxCount: Int, maxBytes: Int) {
        precondition(maxCount > 0 && maxBytes > 0, "queue bounds must be positive")
        self.maxCount = maxCount
        self.maxBytes = maxBytes
    }

    public var count: Int { storage.count - head }
    public var isEmpty: Bool { count == 0 }

    /// Appends `element` of `size` bytes; returns false (and leaves the queue unchanged)
    /// when that would exceed either bound. An empty queue takes one element of any size,
    /// so a single message larger than `maxBytes` is delayed, never refused forever.
    public mutating func append(_ element: Element, size: Int) -> Bool {
        guard count < maxCount, isEmpty || byteCount + size <= maxBytes else { return false }
        storage.append((element, size))
        byteCount += size
        return true
    }

    /// Replaces the last element with `element` of `size` bytes; false (unchanged) when the
    /// queue is empty or the bytes would exceed the bound (unless it is the only element).
    public mutating func replaceLast(with element: Element, size: Int) -> Bool {
        guard let last = storage.indices.last, last >= head else { return false }
        let bytes = byteCount - storage[last].size + size
        guard count == 1 || bytes <= maxBytes else { return false }
        storage[last] = (element, size)
        byteCount = bytes
        return true
    }

    public mutating func popFirst() -> Element? {
        guard head < storage.count else { return nil }
        let entry = storage[head]
        head += 1
        byteCount -= entry.size
        // Compact once the consumed prefix dominates, keeping pops amortised O(1).
        if head > 32 && head * 2 > storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return entry.element
    }

    public func peekFirst() -> Element? {
        head < storage.count ? storage[head].element : nil
    }

    public mutating func removeAll() {
        storage.removeAll()
        head = 0
        byteCount = 0
    }
}
