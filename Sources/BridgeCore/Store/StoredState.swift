/// What a previous run left in the state directory: enough for a warm restart.
public struct StoredState: Sendable {
    public var project: String
    public var position: BridgePosition
    /// The `result` of the project init (user, project, members, last backup, version):
    /// as refreshed after changes to it, with the cursors of the init that started this
    /// epoch.
    public var initResult: JSONValue
    public var ccVersion: String?
    /// The cc cursor of the restore the epoch is named after (nil in stores written before
    /// epochs were derived).
    public var restoreCursor: Int64?
}
