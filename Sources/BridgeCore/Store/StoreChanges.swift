/// What one application of sync items changes, committed in a single transaction so a
/// cursor never advances without its effect.
public struct StoreChanges: Sendable {
    /// Objects fetched from Unicat, to insert or replace in the mirror.
    public var upserts: [MirrorKey: JSONValue] = [:]
    /// Objects that no longer exist upstream.
    public var deletions: Set<MirrorKey> = []
    /// Applied items in order, each with the cursors after it.
    public var entries: [(item: SyncItem, cursors: SyncCursors)] = []
    public var ccVersion: String?
    /// A fresher `result` of the project init (after a backup, a membership change), to
    /// serve from `unicat.init` from now on.
    public var initResult: JSONValue?

    public init() {}

    public var isEmpty: Bool { entries.isEmpty && upserts.isEmpty && deletions.isEmpty }

    public mutating func upsert(_ key: MirrorKey, _ object: JSONValue) {
        deletions.remove(key)
        upserts[key] = object
    }

    public mutating func delete(_ key: MirrorKey) {
        upserts.removeValue(forKey: key)
        deletions.insert(key)
    }
}

/// An object in the mirror: its Unicat data type and key (gid, module name, or
/// `project/user` for memberships).
public struct MirrorKey: Sendable, Hashable, CustomStringConvertible {
    public var dataType: String
    public var key: String

    public init(_ dataType: String, _ key: String) {
        self.dataType = dataType
        self.key = key
    }

    public var description: String { "\(dataType)/\(key)" }
}
