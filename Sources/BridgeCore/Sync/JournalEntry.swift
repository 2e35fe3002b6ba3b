/// A change as the bridge recorded it: the sync item, the position after applying it, and
/// when the bridge committed it.
public struct JournalEntry: Sendable, Hashable {
    /// Monotonic within an epoch; the journal's own order.
    public var sequence: Int64
    public var item: SyncItem
    public var position: BridgePosition
    public var committedAt: Double
    /// Why the changed object's state could not be had when this change was committed
    /// (nil when it could, or when the change names no object).
    public var objectError: String? = nil
}
