import Foundation
import GRDB

extension BridgeStore {
    /// Starts a new epoch from a full init: replaces the whole mirror with the init data,
    /// empties the journal, and sets the cursors to the init's. `restoreCursor` is the cc
    /// cursor of the latest finished restore the epoch is named after (`EpochBasis`).
    public func startEpoch(_ epoch: String, project: String, restoreCursor: Int64 = 0, initResponse: UnicatResponse) throws -> BridgePosition {
        let cursors = SyncCursors(of: initResponse)
        defer { initData.withLock { $0.generation += 1 } }
        try database.writeWithoutTransaction { db in
            try db.inTransaction {
                try replaceMirror(epoch, project: project, cursors: cursors, restoreCursor: restoreCursor, initResponse: initResponse, db)
                return .commit
            }
            let bounds = try JournalBounds.read(db)
            knownJournalBounds.withLock { $0 = bounds }
            heldObjectCache.withLock { $0.removeAll() }
            missingKeyCache.withLock { $0.removeAll() }
        }
        return BridgePosition(epoch: epoch, cursors: cursors)
    }

    private func replaceMirror(_ epoch: String, project: String, cursors: SyncCursors, restoreCursor: Int64,
                               initResponse: UnicatResponse, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM objects")
        try db.execute(sql: "DELETE FROM journal")
        let insert = try db.cachedStatement(sql: "INSERT OR REPLACE INTO objects (data_type, key, body) VALUES (?, ?, ?)")
        for (key, object) in Self.initObjects(initResponse.data) {
            try insert.execute(arguments: [key.dataType, key.key, object.encodedString()])
        }
        try Self.setMeta(db, [
            "epoch": epoch, "project": project, "init_result": initResponse.result.encodedString(),
            "cc_cursor": String(cursors.cc), "cursor": String(cursors.project),
            "floor_cc_cursor": String(cursors.cc), "floor_cursor": String(cursors.project), "floor_sequence": "0",
            "cc_version": initResponse.result["cc.version"]?.stringValue ?? "",
        ])
        try Self.setMeta(db, ["restore_cc_cursor": String(restoreCursor)])
    }

    /// The objects an init's `data` holds, keyed as sync items name them.
    static func initObjects(_ data: JSONValue) -> [(MirrorKey, JSONValue)] {
        var objects: [(MirrorKey, JSONValue)] = []
        for (dataType, group) in data.objectValue ?? [:] {
            if let members = group.objectValue {
                for (key, object) in members { objects.append((MirrorKey(dataType, key), object)) }
            } else if let list = group.arrayValue, dataType == "cc.projects_members" {
                for membership in list {
                    if let key = membershipKey(membership) { objects.append((MirrorKey(dataType, key), membership)) }
                }
            }
        }
        return objects
    }

    /// Memberships come as a list; sync items key them `<project gid>/<user gid>`.
    static func membershipKey(_ membership: JSONValue) -> String? {
        guard let project = membership["project_gid"]?.stringValue, let user = membership["user_gid"]?.stringValue else { return nil }
        return "\(project)/\(user)"
    }

    static func setMeta(_ db: Database, _ values: [String: String]) throws {
        for (key, value) in values {
            try db.cachedStatement(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)").execute(arguments: [key, value])
        }
    }

    /// The state a previous run left, or nil for an empty store.
    public func storedState() throws -> StoredState? {
        try database.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT key, value FROM meta")
            var meta: [String: String] = [:]
            for row in rows { meta[row["key"]] = row["value"] }
            guard let epoch = meta["epoch"], let project = meta["project"],
                  let cc = meta["cc_cursor"].flatMap({ Int64($0) }), let cursor = meta["cursor"].flatMap({ Int64($0) })
            else { return nil }
            return StoredState(
                project: project,
                position: BridgePosition(epoch: epoch, cursors: SyncCursors(cc: cc, project: cursor)),
                initResult: meta["init_result"].flatMap { try? JSONValue.parse($0) } ?? .object([:]),
                ccVersion: meta["cc_version"].flatMap { $0.isEmpty ? nil : $0 },
                restoreCursor: meta["restore_cc_cursor"].flatMap { Int64($0) })
        }
    }
}
