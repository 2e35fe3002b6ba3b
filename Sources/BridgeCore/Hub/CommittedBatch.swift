/// What the sync engine hands the hub after each commit: the new journal entries and the
/// objects refetched for them (nil = the object is gone).
public struct CommittedBatch: Sendable {
    public var entries: [JournalEntry]
    public var objects: [MirrorKey: JSONValue?]

    public init(entries: [JournalEntry], objects: [MirrorKey: JSONValue?]) {
        self.entries = entries
        self.objects = objects
    }
}
