/// The last applied cursor of each of Unicat's two streams.
public struct SyncCursors: Sendable, Hashable, Codable {
    public var cc: Int64
    public var project: Int64

    public init(cc: Int64, project: Int64) {
        self.cc = cc
        self.project = project
    }

    /// The cursors a snapshot's `result` carries (`cc.cursor`, `cursor`; 0 when absent).
    public init(of snapshot: UnicatResponse) {
        self.init(cc: snapshot.result["cc.cursor"]?.int64Value ?? 0, project: snapshot.result["cursor"]?.int64Value ?? 0)
    }

    public subscript(stream: SyncItem.Stream) -> Int64 {
        get { stream == .cc ? cc : project }
        set { if stream == .cc { cc = newValue } else { project = newValue } }
    }

    /// The `/sync/get` (and `initsync`) body that asks for everything after these cursors.
    public func syncRequest(project gid: String) -> JSONValue {
        ["cc_cursor": .int(cc), "project": .string(gid), "cursor": .int(project)]
    }
}
