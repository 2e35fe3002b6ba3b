/// Mirror objects recently read, encoded as stored, so that asking again for a held object
/// (`unicat.get` of a record a dashboard shows) touches no SQLite: a read transaction costs
/// locks and hand-offs that dwarf the lookup. Bounded in bytes; emptied when full.
///
/// Exact: every commit drops the keys it changed, and a read that a commit overlapped does
/// not fill the cache (the generation moved on since it began), so it never serves an object
/// older than the last commit.
struct HeldObjectCache {
    static let maxBytes = 16 << 20

    private var entries: [MirrorKey: [UInt8]] = [:]
    private var bytes = 0
    /// Counts commits: a fill from a read begun at an older generation is refused.
    private(set) var generation: UInt64 = 0

    /// The encoded objects of all `keys`, or nil unless every one is cached.
    func objects(_ dataType: String, keys: [String]) -> [String: [UInt8]]? {
        var found: [String: [UInt8]] = [:]
        for key in keys {
            guard let encoded = entries[MirrorKey(dataType, key)] else { return nil }
            found[key] = encoded
        }
        return found
    }

    /// Keeps what a read begun at `generation` found, unless a commit came since.
    mutating func fill(_ dataType: String, _ objects: [String: [UInt8]], readAt generation: UInt64) {
        guard generation == self.generation else { return }
        for (key, encoded) in objects {
            guard encoded.count <= Self.maxBytes else { continue }
            if bytes + encoded.count > Self.maxBytes { clear() }
            if let replaced = entries.updateValue(encoded, forKey: MirrorKey(dataType, key)) { bytes -= replaced.count }
            bytes += encoded.count
        }
    }

    /// A commit changed these keys.
    mutating func committed(changing keys: some Sequence<MirrorKey>) {
        generation += 1
        for key in keys {
            if let removed = entries.removeValue(forKey: key) { bytes -= removed.count }
        }
    }

    private mutating func clear() {
        entries.removeAll()
        bytes = 0
    }

    /// Everything goes (a new epoch replaces the mirror).
    mutating func removeAll() {
        generation += 1
        clear()
    }
}
