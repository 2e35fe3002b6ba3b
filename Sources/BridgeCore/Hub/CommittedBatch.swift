/// What the sync engine hands the hub after each commit: the new journal entries and what
/// the engine learned about the objects they changed. A key the engine did not fetch is
/// absent: the hub reads it from the mirror (or fetches it) for subscribers that want it.
public struct CommittedBatch: Sendable {
    public var entries: [JournalEntry]
    public var objects: [MirrorKey: ObjectState]

    public init(entries: [JournalEntry], objects: [MirrorKey: ObjectState]) {
        self.entries = entries
        self.objects = objects
    }
}

/// An object as a subscriber is told about it.
public enum ObjectState: Sendable, Hashable {
    /// The object's current state, as Unicat sent it.
    case present(JSONValue)
    /// Unicat says the object no longer exists (the only case that reaches subscribers as
    /// `"object": null`).
    case gone
    /// The object could not be had; the message says why (no secrets). Subscribers get
    /// `"object_error"` instead of `"object"`.
    case failed(String)
}
