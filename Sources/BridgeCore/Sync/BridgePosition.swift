/// A subscriber-visible position: the cursors after some change, within an epoch. The
/// epoch changes only when continuity with Unicat is lost (restore, cursor rewind).
public struct BridgePosition: Sendable, Hashable, Codable {
    public var epoch: String
    public var cursors: SyncCursors

    public init(epoch: String, cursors: SyncCursors) {
        self.epoch = epoch
        self.cursors = cursors
    }

    public var json: JSONValue {
        ["epoch": .string(epoch), "cc_cursor": .int(cursors.cc), "cursor": .int(cursors.project)]
    }

    public init?(json: JSONValue) {
        guard let epoch = json["epoch"]?.stringValue, let cc = json["cc_cursor"]?.int64Value,
              let cursor = json["cursor"]?.int64Value
        else { return nil }
        self.init(epoch: epoch, cursors: SyncCursors(cc: cc, project: cursor))
    }
}
