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
                let body: String = row["body"]
                result[row["key"]] = try JSONValue.parse(body)
            }
            return result
        }
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
            return try Row.fetchAll(db, sql: "SELECT * FROM journal WHERE sequence > ? ORDER BY sequence LIMIT ?",
                                    arguments: [sequence, limit]).map { row in
                let data: String? = row["data"]
                let stream: String = row["stream"]
                let item = SyncItem(stream: SyncItem.Stream(rawValue: stream) ?? .project, cursor: row["cursor"],
                                    action: row["action"], dataType: row["data_type"], dataKey: row["data_key"],
                                    data: data.flatMap { try? JSONValue.parse($0) })
                return JournalEntry(sequence: row["sequence"], item: item,
                                    position: BridgePosition(epoch: epoch, cursors: SyncCursors(cc: row["cc_after"], project: row["cursor_after"])),
                                    committedAt: row["committed_at"], objectError: row["object_error"])
            }
        }
    }

    /// The journal window: first and last sequence held, and how many entries.
    public func journalWindow() throws -> (first: Int64, last: Int64, count: Int) {
        try database.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT MIN(sequence) AS first, MAX(sequence) AS last, COUNT(*) AS n FROM journal")
            return (row?["first"] ?? 0, row?["last"] ?? 0, row?["n"] ?? 0)
        }
    }

    /// The init payload as `unicat.init` serves it: the stored `result` with current
    /// cursors, and `data` rebuilt from the mirror's init types.
    public func initSnapshot() throws -> (result: JSONValue, data: JSONValue)? {
        guard let state = try storedState() else { return nil }
        var result = state.initResult.objectValue ?? [:]
        result["cc.cursor"] = .int(state.position.cursors.cc)
        result["cursor"] = .int(state.position.cursors.project)
        if let version = state.ccVersion { result["cc.version"] = .string(version) }
        var data: [String: JSONValue] = [:]
        for dataType in Self.initDataTypes {
            let objects = try objects(dataType)
            if dataType == "cc.projects_members" {
                data[dataType] = .array(objects.keys.sorted().compactMap { objects[$0] })
            } else {
                data[dataType] = .object(objects)
            }
        }
        return (.object(result), .object(data))
    }
}

extension BridgeStore {
    /// The position just before the oldest journal entry: resuming from anything older
    /// needs Unicat.
    public func journalFloor() throws -> BridgePosition? {
        try database.read { db in
            var meta: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT key, value FROM meta WHERE key IN ('epoch', 'floor_cc_cursor', 'floor_cursor')") {
                meta[row["key"]] = row["value"]
            }
            guard let epoch = meta["epoch"], let cc = meta["floor_cc_cursor"].flatMap({ Int64($0) }),
                  let cursor = meta["floor_cursor"].flatMap({ Int64($0) }) else { return nil }
            return BridgePosition(epoch: epoch, cursors: SyncCursors(cc: cc, project: cursor))
        }
    }

    /// The sequence of the last journal entry at or before `position` (0 when none is).
    public func sequence(atOrBefore position: BridgePosition) throws -> Int64 {
        try database.read { db in
            try Int64.fetchOne(db, sql: "SELECT MAX(sequence) FROM journal WHERE cc_after <= ? AND cursor_after <= ?",
                               arguments: [position.cursors.cc, position.cursors.project]) ?? 0
        }
    }
}
