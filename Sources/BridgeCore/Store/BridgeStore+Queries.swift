import Foundation
import GRDB

extension BridgeStore {
    /// Mirror objects of one type among `keys` (all of the type when `keys` is nil).
    public func objects(_ dataType: String, keys: [String]? = nil) throws -> [String: JSONValue] {
        try database.read { db in
            let rows: [Row]
            if let keys {
                guard !keys.isEmpty else { return [:] }
                let marks = Array(repeating: "?", count: keys.count).joined(separator: ",")
                rows = try Row.fetchAll(db, sql: "SELECT key, body FROM objects WHERE data_type = ? AND key IN (\(marks))",
                                        arguments: StatementArguments([dataType] + keys))
            } else {
                rows = try Row.fetchAll(db, sql: "SELECT key, body FROM objects WHERE data_type = ?", arguments: [dataType])
            }
            var result: [String: JSONValue] = [:]
            for row in rows {
                let body: String = row[1]  // (key, body), by position: cheaper than by name
                result[row[0]] = try JSONValue.parse(body)
            }
            return result
        }
    }

    /// The mirror's objects of one type among `keys` as stored (encoded JSON, not parsed), read
    /// in one transaction; `.tooLarge` (measured before any is read) when together they are
    /// more than `maxBytes`.
    public func heldObjects(_ dataType: String, keys: [String], maxBytes: Int) throws -> HeldObjects {
        guard !keys.isEmpty else { return .within([:]) }
        let (cached, generation) = heldObjectCache.withLock { ($0.objects(dataType, keys: keys), $0.generation) }
        let objects: [String: [UInt8]]
        if let cached {
            objects = cached
        } else {
            let read = try readHeldObjects(dataType, keys: keys, maxBytes: maxBytes)
            guard let found = read.objects else { return .tooLarge(bytes: read.bytes) }
            objects = found
            heldObjectCache.withLock { $0.fill(dataType, objects, readAt: generation) }
        }
        let bytes = objects.values.reduce(0) { $0 + $1.count }
        return bytes <= maxBytes ? .within(objects.mapValues { .encoded($0) }) : .tooLarge(bytes: bytes)
    }

    /// The objects as stored and their size, without the objects when together they are more
    /// than `maxBytes` (measured before they are read).
    private func readHeldObjects(_ dataType: String, keys: [String], maxBytes: Int) throws -> (objects: [String: [UInt8]]?, bytes: Int) {
        try database.read { db in
            let bytes = try Int.fetchOne(Self.statement(keys: keys.count, "SELECT COALESCE(SUM(length(CAST(body AS BLOB))), 0) FROM objects WHERE data_type = ? AND key IN", db),
                                         arguments: StatementArguments([dataType] + keys)) ?? 0
            guard bytes <= maxBytes else { return (nil, bytes) }
            var objects: [String: [UInt8]] = [:]
            for row in try Row.fetchAll(Self.statement(keys: keys.count, "SELECT key, body FROM objects WHERE data_type = ? AND key IN", db),
                                        arguments: StatementArguments([dataType] + keys)) {
                let body: String = row[1]  // (key, body), by position: cheaper than by name
                objects[row[0]] = Array(body.utf8)
            }
            return (objects, bytes)
        }
    }

    /// `sql` followed by as many parameters as `keys`; statements for a few keys recur (one
    /// key above all), so those are prepared once per connection.
    private static func statement(keys: Int, _ sql: String, _ db: Database) throws -> Statement {
        let text = sql + " (" + Array(repeating: "?", count: keys).joined(separator: ",") + ")"
        return keys <= 8 ? try db.cachedStatement(sql: text) : try db.makeStatement(sql: text)
    }

    /// Which of `keys` the mirror holds.
    public func heldKeys(_ dataType: String, among keys: [String]) throws -> Set<String> {
        guard !keys.isEmpty else { return [] }
        return try database.read { db in
            let marks = Array(repeating: "?", count: keys.count).joined(separator: ",")
            return Set(try String.fetchAll(db, sql: "SELECT key FROM objects WHERE data_type = ? AND key IN (\(marks))",
                                           arguments: StatementArguments([dataType] + keys)))
        }
    }

    public func objectCounts() throws -> [String: Int] {
        try database.read { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT data_type, COUNT(*) AS n FROM objects GROUP BY data_type") {
                counts[row["data_type"]] = row["n"]
            }
            return counts
        }
    }

    /// Journal entries after `sequence`, oldest first, at most `limit`.
    public func journal(after sequence: Int64 = 0, limit: Int = 10_000) throws -> [JournalEntry] {
        try database.read { db in
            let epoch = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'epoch'") ?? ""
            // Columns by position, each row decoded as the cursor reaches it: a replay reads
            // pages of these, and GRDB's lookup by name (case-insensitive) cost more than SQLite.
            let rows = try Row.fetchCursor(db, sql: """
                SELECT sequence, stream, cursor, action, data_type, data_key, data, cc_after, cursor_after, committed_at, object_error
                FROM journal WHERE sequence > ? ORDER BY sequence LIMIT ?
                """, arguments: [sequence, limit])
            var entries: [JournalEntry] = []
            entries.reserveCapacity(min(limit, 1_000))
            while let row = try rows.next() {
                let stream: String = row[1]
                let data: String? = row[6]
                let item = SyncItem(stream: SyncItem.Stream(rawValue: stream) ?? .project, cursor: row[2],
                                    action: row[3], dataType: row[4], dataKey: row[5],
                                    data: data.flatMap { try? JSONValue.parse($0) })
                entries.append(JournalEntry(sequence: row[0], item: item,
                                            position: BridgePosition(epoch: epoch, cursors: SyncCursors(cc: row[7], project: row[8])),
                                            committedAt: row[9], objectError: row[10]))
            }
            return entries
        }
    }

    /// The journal's window and floor as of the last commit, from memory (see `JournalBounds`).
    public func journalBounds() throws -> JournalBounds {
        if let known = knownJournalBounds.withLock({ $0 }) { return known }
        let bounds = try database.read { try JournalBounds.read($0) }
        // A commit since the read has set newer bounds: keep those.
        knownJournalBounds.withLock { if $0 == nil { $0 = bounds } }
        return bounds
    }

    /// The init payload as `unicat.init` serves it: the stored `result` with current
    /// cursors, and `data` rebuilt from the mirror's init types.
    public func initSnapshot() throws -> (result: JSONValue, data: JSONValue)? {
        guard let state = try storedState() else { return nil }
        var result = state.initResult.objectValue ?? [:]
        result["cc.cursor"] = .int(state.position.cursors.cc)
        result["cursor"] = .int(state.position.cursors.project)
        if let version = state.ccVersion { result["cc.version"] = .string(version) }
        return (.object(result), try currentInitData())
    }

    /// The init types from the mirror as encoded JSON, read and encoded again only after a
    /// commit changed one: a large schema is not written again for every `unicat.init`.
    private func currentInitData() throws -> JSONValue {
        let generation = initData.withLock { $0.generation }
        if let cached = initData.withLock({ $0.cached }), cached.generation == generation { return cached.data }
        var data: [String: JSONValue] = [:]
        for dataType in initDataTypes {
            let objects = try objects(dataType)
            if dataType == "cc.projects_members" {
                data[dataType] = .array(objects.keys.sorted().compactMap { objects[$0] })
            } else {
                data[dataType] = .object(objects)
            }
        }
        let built = JSONValue.encoded(JSONValue.object(data).encodedBytes())
        initData.withLock { $0.cached = (generation, built) }
        return built
    }
}

/// Where the journal starts: the position just before its oldest entry, and that entry's
/// sequence minus one. Resuming from anything older needs Unicat.
public struct JournalFloor: Sendable, Hashable {
    public var sequence: Int64
    public var position: BridgePosition
}

extension BridgeStore {
    static func journalFloor(_ db: Database) throws -> JournalFloor? {
        var meta: [String: String] = [:]
        for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT key, value FROM meta WHERE key IN ('epoch', 'floor_cc_cursor', 'floor_cursor', 'floor_sequence')")) {
            meta[row["key"]] = row["value"]
        }
        guard let epoch = meta["epoch"], let cc = meta["floor_cc_cursor"].flatMap({ Int64($0) }),
              let cursor = meta["floor_cursor"].flatMap({ Int64($0) }) else { return nil }
        // Stores written before the floor's sequence was kept: the oldest entry tells it.
        let sequence = try meta["floor_sequence"].flatMap { Int64($0) }
            ?? Int64.fetchOne(db, sql: "SELECT MIN(sequence) - 1 FROM journal") ?? 0
        return JournalFloor(sequence: sequence, position: BridgePosition(epoch: epoch, cursors: SyncCursors(cc: cc, project: cursor)))
    }

    /// The journal sequence a subscriber at `cursors` has got to: the last entry whose
    /// position is at or before `cursors` in both streams, or the floor when none is held
    /// but the floor is. Nil when `cursors` lie before the floor (Unicat must fill the gap).
    /// Read in one transaction, so pruning cannot fall between the two answers.
    ///
    /// Positions grow with the sequence in both streams, so the entries at or before
    /// `cursors` are a prefix of the journal: a binary search over sequences finds its end
    /// in a few primary-key reads, however far back the position is.
    public func sequence(reachedAt cursors: SyncCursors) throws -> Int64? {
        try database.read { db in
            guard let floor = try Self.journalFloor(db) else { return nil }
            guard floor.position.cursors.isAtOrBefore(cursors) else { return nil }
            var reached = floor.sequence
            var beyond = (try Int64.fetchOne(db, sql: "SELECT MAX(sequence) FROM journal") ?? floor.sequence) + 1
            while beyond - reached > 1 {
                let middle = reached + (beyond - reached) / 2
                guard let row = try Row.fetchOne(db, sql: "SELECT cc_after, cursor_after FROM journal WHERE sequence = ?",
                                                 arguments: [middle]) else { break }
                let after = SyncCursors(cc: row["cc_after"], project: row["cursor_after"])
                if after.isAtOrBefore(cursors) { reached = middle } else { beyond = middle }
            }
            return reached
        }
    }
}
