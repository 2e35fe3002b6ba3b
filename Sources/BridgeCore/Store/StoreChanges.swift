/// What one application of sync items changes, committed in a single transaction so a
/// cursor never advances without its effect.
public struct StoreChanges: Sendable {
    /// Objects fetched from Unicat, to insert or replace in the mirror.
    public var upserts: [MirrorKey: JSONValue] = [:]
    /// Objects that no longer exist upstream, or whose mirror copy must go because their
    /// current state could not be had (`objectErrors`).
    public var deletions: Set<MirrorKey> = []
    /// Objects whose refetch kept failing, with why: every entry of such a key is
    /// journaled with the error.
    public var objectErrors: [MirrorKey: String] = [:]
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
        objectErrors.removeValue(forKey: key)
        upserts[key] = object
    }

    public mutating func delete(_ key: MirrorKey) {
        upserts.removeValue(forKey: key)
        objectErrors.removeValue(forKey: key)
        deletions.insert(key)
    }

    /// The object's current state could not be had: nobody may be served the mirror's
    /// older copy as current.
    public mutating func fail(_ key: MirrorKey, _ message: String) {
        upserts.removeValue(forKey: key)
        deletions.insert(key)
        objectErrors[key] = message
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
