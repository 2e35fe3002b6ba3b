import Foundation
import GRDB

extension BridgeStore {
    /// Applies `changes` in one transaction: mirror upserts and deletions, journal entries,
    /// the new cursors, and journal pruning to the configured size. Returns the journal
    /// entries as committed.
    public func commit(_ changes: StoreChanges, epoch: String) throws -> [JournalEntry] {
        let now = Date().timeIntervalSince1970
        defer {
            let touched = changes.upserts.keys.contains { initDataTypes.contains($0.dataType) }
                || changes.deletions.contains { initDataTypes.contains($0.dataType) }
            if touched { initData.withLock { $0.generation += 1 } }
        }
        return try database.writeWithoutTransaction { db in
            var committed: [JournalEntry] = []
            var newFloor: JournalFloor?
            try db.inTransaction {
                (committed, newFloor) = try write(changes, epoch: epoch, at: now, db)
                return .commit
            }
            // On the writer, after the commit: bounds are set in commit order. Known ones are
            // what this commit started from, so what it wrote moves them on; reading them
            // again from SQLite took nearly half of a commit.
            let bounds = try knownJournalBounds.withLock { $0 }?.advanced(by: committed, floor: newFloor) ?? JournalBounds.read(db)
            knownJournalBounds.withLock { $0 = bounds }
            let changed = Array(changes.upserts.keys) + changes.deletions
            heldObjectCache.withLock { $0.committed(changing: changed) }
            missingKeyCache.withLock { $0.committed(naming: changed + committed.map { MirrorKey($0.item.dataType, $0.item.dataKey) }) }
            return committed
        }
    }

    /// The transaction's statements, prepared once per connection (a batch runs them per item).
    /// Returns the entries written and, when it pruned, the journal's new floor.
    private func write(_ changes: StoreChanges, epoch: String, at now: Double, _ db: Database) throws
        -> (committed: [JournalEntry], floor: JournalFloor?) {
        let upsert = try db.cachedStatement(sql: "INSERT OR REPLACE INTO objects (data_type, key, body) VALUES (?, ?, ?)")
        for (key, object) in changes.upserts {
            try upsert.execute(arguments: [key.dataType, key.key, object.encodedString()])
        }
        let delete = try db.cachedStatement(sql: "DELETE FROM objects WHERE data_type = ? AND key = ?")
        for key in changes.deletions {
            try delete.execute(arguments: [key.dataType, key.key])
        }
        var sequence = try Int64.fetchOne(db.cachedStatement(sql: "SELECT MAX(sequence) FROM journal")) ?? 0
        var committed: [JournalEntry] = []
        let insert = try db.cachedStatement(sql: """
            INSERT INTO journal (sequence, stream, cursor, action, data_type, data_key, data, cc_after, cursor_after, committed_at, object_error)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for (item, cursors) in changes.entries {
            sequence += 1
            let objectError = changes.objectErrors[MirrorKey(item.dataType, item.dataKey)]
            try insert.execute(arguments: [sequence, item.stream.rawValue, item.cursor, item.action, item.dataType, item.dataKey,
                                           item.data?.encodedString(), cursors.cc, cursors.project, now, objectError])
            committed.append(JournalEntry(sequence: sequence, item: item,
                                          position: BridgePosition(epoch: epoch, cursors: cursors), committedAt: now,
                                          objectError: objectError))
        }
        if let last = changes.entries.last {
            try Self.setMeta(db, ["cc_cursor": String(last.cursors.cc), "cursor": String(last.cursors.project)])
        }
        if let version = changes.ccVersion { try Self.setMeta(db, ["cc_version": version]) }
        if let initResult = changes.initResult { try Self.setMeta(db, ["init_result": initResult.encodedString()]) }
        // The floor is the position just before the oldest entry kept: resuming from
        // anything older needs Unicat.
        let lastPruned = sequence - Int64(journalLimit)
        var floor: JournalFloor?
        if lastPruned > 0, let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT cc_after, cursor_after FROM journal WHERE sequence = ?"),
                                                      arguments: [lastPruned]) {
            let cursors = SyncCursors(cc: row[0], project: row[1])
            try Self.setMeta(db, ["floor_cc_cursor": String(cursors.cc), "floor_cursor": String(cursors.project),
                                  "floor_sequence": String(lastPruned)])
            try db.cachedStatement(sql: "DELETE FROM journal WHERE sequence <= ?").execute(arguments: [lastPruned])
            floor = JournalFloor(sequence: lastPruned, position: BridgePosition(epoch: epoch, cursors: cursors))
        }
        return (committed, floor)
    }
}
