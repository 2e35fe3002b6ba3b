/// The cursors received on one stream of one connection, as bits from the first one seen:
/// tells a duplicate from a late item, and which cursors of a range never came.
struct CursorSet: Sendable {
    private(set) var base: Int64 = 0
    private var words: [UInt64] = []

    /// Inserts `cursor`; false when it was already there. Cursors below the first one
    /// inserted are counted as new (they are reported as out of order by the caller).
    mutating func insert(_ cursor: Int64) -> Bool {
        if words.isEmpty { base = cursor }
        guard cursor >= base else { return true }
        let offset = Int(cursor - base)
        let word = offset >> 6
        if word >= words.count { words.append(contentsOf: repeatElement(0, count: word - words.count + 1)) }
        let bit = UInt64(1) << UInt64(offset & 63)
        if words[word] & bit != 0 { return false }
        words[word] |= bit
        return true
    }

    func contains(_ cursor: Int64) -> Bool {
        guard !words.isEmpty, cursor >= base else { return false }
        let offset = Int(cursor - base)
        let word = offset >> 6
        return word < words.count && words[word] & (UInt64(1) << UInt64(offset & 63)) != 0
    }
}

/// Order and exactly-once checks for one stream of one connection.
struct StreamProgress: Sendable {
    private(set) var first: Int64?
    private(set) var last: Int64 = 0
    private(set) var received = CursorSet()
    private(set) var items = 0
    private(set) var duplicates = 0
    private(set) var outOfOrder = 0

    enum Outcome { case inOrder, duplicate, outOfOrder }

    mutating func record(_ cursor: Int64) -> Outcome {
        items += 1
        if first == nil { first = cursor }
        guard received.insert(cursor) else {
            duplicates += 1
            return .duplicate
        }
        guard cursor > last else {
            outOfOrder += 1
            return .outOfOrder
        }
        last = cursor
        return .inOrder
    }

    /// Cursors between the first and the last received that never came, when every cursor
    /// of the stream is expected (a sender numbering its messages 1, 2, 3, …).
    func consecutiveGaps() -> Int {
        guard let first else { return 0 }
        var missing = 0
        var cursor = first
        while cursor <= last {
            if !received.contains(cursor) { missing += 1 }
            cursor += 1
        }
        return missing
    }

    /// Of `expected` (sorted cursors that match the subscription), those inside the received
    /// range that never came.
    func missing(from expected: [Int64]) -> Int {
        guard let first else { return 0 }
        var count = 0
        for cursor in expected where cursor > first && cursor <= last && !received.contains(cursor) { count += 1 }
        return count
    }
}
