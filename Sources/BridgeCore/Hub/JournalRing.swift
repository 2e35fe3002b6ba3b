/// The most recently published journal entries, in memory, each with its item already
/// encoded: subscribers catching up near the head (held back while their socket was busy,
/// reconnecting after a short drop) read no storage and share the encoding.
struct JournalRing {
    struct Slot {
        let entry: JournalEntry
        /// The item as every subscriber without `include_objects` gets it.
        let plain: [UInt8]
        /// With its object, when the batch said what the object is.
        let withObject: [UInt8]?

        func encoded(includeObjects: Bool) -> [UInt8]? { includeObjects ? withObject : plain }

        var byteCount: Int { plain.count + (withObject?.count ?? 0) }
    }

    let capacity: Int
    /// Objects can be large: the ring also keeps to a byte budget.
    let maxBytes: Int
    private var slots: [Slot] = []
    /// Index of the oldest slot kept; the ones before it are dropped in bulk.
    private var start = 0
    private var bytes = 0

    init(capacity: Int, maxBytes: Int = 32 << 20) {
        self.capacity = max(1, capacity)
        self.maxBytes = maxBytes
    }

    /// Appends a published batch; a batch that does not follow the last entry (it never
    /// should) replaces what was held, so the ring never has a hole.
    mutating func append(_ batch: [Slot]) {
        guard let first = batch.first else { return }
        if let last = slots.last, first.entry.sequence != last.entry.sequence + 1 { removeAll() }
        slots.append(contentsOf: batch)
        bytes += batch.reduce(0) { $0 + $1.byteCount }
        while start < slots.count, slots.count - start > capacity || bytes > maxBytes {
            bytes -= slots[start].byteCount
            start += 1
        }
        if start > capacity {
            slots.removeFirst(start)
            start = 0
        }
    }

    mutating func removeAll() {
        slots.removeAll(keepingCapacity: true)
        start = 0
        bytes = 0
    }

    /// The last sequence whose position is at or before `cursors`, when the ring can tell
    /// (its oldest entry is at or before them; nil: storage must answer). Positions grow
    /// with the sequence in both streams, so a binary search finds it.
    func sequence(reachedAt cursors: SyncCursors) -> Int64? {
        guard start < slots.count, slots[start].entry.position.cursors.isAtOrBefore(cursors) else { return nil }
        var reached = start, beyond = slots.count
        while beyond - reached > 1 {
            let middle = reached + (beyond - reached) / 2
            if slots[middle].entry.position.cursors.isAtOrBefore(cursors) { reached = middle } else { beyond = middle }
        }
        return slots[reached].entry.sequence
    }

    /// Up to `limit` slots right after `sequence`, or nil when the ring does not start at or
    /// before `sequence + 1` (storage must answer).
    func slots(after sequence: Int64, limit: Int) -> ArraySlice<Slot>? {
        guard start < slots.count else { return nil }
        let oldest = slots[start].entry.sequence
        guard oldest <= sequence + 1 else { return nil }
        let from = start + Int(sequence + 1 - oldest)
        guard from <= slots.count else { return nil }
        return slots[from..<min(slots.count, from + limit)]
    }
}
