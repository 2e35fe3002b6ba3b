/// What a previous run left in the state directory: enough for a warm restart.
public struct StoredState: Sendable {
    public var project: String
    public var position: BridgePosition
    /// The `result` of the init that started this epoch (user, project, members, version).
    public var initResult: JSONValue
    public var ccVersion: String?
}
