/// The most recently published journal entries, in memory: subscribers catching up near
/// the head (held back while their socket was busy, reconnecting after a short drop) read
/// them without touching storage.
struct JournalRing {
    let capacity: Int
    private var entries: [JournalEntry] = []
    /// Index of the oldest entry kept; the ones before it are dropped in bulk.
    private var start = 0

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Appends a published batch; a batch that does not follow the last entry (it never
    /// should) replaces what was held, so the ring never has a hole.
    mutating func append(_ batch: [JournalEntry]) {
        guard let first = batch.first else { return }
        if let last = entries.last, first.sequence != last.sequence + 1 { removeAll() }
        entries.append(contentsOf: batch)
        if entries.count - start > capacity { start = entries.count - capacity }
        if start > capacity {
            entries.removeFirst(start)
            start = 0
        }
    }

    mutating func removeAll() {
        entries.removeAll(keepingCapacity: true)
        start = 0
    }

    /// Up to `limit` entries right after `sequence`, or nil when the ring does not start at
    /// or before `sequence + 1` (storage must answer).
    func entries(after sequence: Int64, limit: Int) -> ArraySlice<JournalEntry>? {
        guard start < entries.count else { return nil }
        let oldest = entries[start].sequence
        guard oldest <= sequence + 1 else { return nil }
        let from = start + Int(sequence + 1 - oldest)
        guard from <= entries.count else { return nil }
        return entries[from..<min(entries.count, from + limit)]
    }
}
