import GRDB

/// The journal's extent as of the last commit: its window and its floor. The store keeps it
/// in memory, set by the writer right after each commit, so that `bridge.status` and a
/// resume's gap check read it without touching SQLite.
public struct JournalBounds: Sendable, Equatable {
    /// First and last sequence held (both 0 when the journal is empty).
    public var first: Int64
    public var last: Int64
    public var floor: JournalFloor?

    /// Sequences have no holes, so the count needs no scan.
    public var count: Int { last == 0 ? 0 : Int(last - first + 1) }

    /// The bounds after a commit that wrote `committed` (in sequence order) and, when it
    /// pruned, set `floor` (everything up to the floor's sequence deleted).
    func advanced(by committed: [JournalEntry], floor newFloor: JournalFloor?) -> JournalBounds {
        var next = self
        if let newest = committed.last {
            if next.last == 0, let oldest = committed.first { next.first = oldest.sequence }
            next.last = newest.sequence
        }
        if let newFloor {
            next.floor = newFloor
            next.first = newFloor.sequence + 1
        }
        return next
    }

    static func read(_ db: Database) throws -> JournalBounds {
        // Each in its own subquery: SQLite reads one end of the primary key for a lone MIN or
        // MAX, but scans the whole table for both in one SELECT.
        let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT (SELECT MIN(sequence) FROM journal) AS first, (SELECT MAX(sequence) FROM journal) AS last"))
        let first: Int64? = row?["first"]
        let last: Int64? = row?["last"]
        return JournalBounds(first: first ?? 0, last: last ?? 0, floor: try BridgeStore.journalFloor(db))
    }
}
