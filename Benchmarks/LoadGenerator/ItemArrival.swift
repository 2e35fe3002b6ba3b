/// The two Unicat cursor streams a sync item belongs to.
enum SyncStream: UInt8, Sendable, Hashable {
    case cc
    case project
}

/// Identifies one change: its stream and cursor (as in the simulator's log).
struct ItemKey: Hashable, Sendable {
    var stream: SyncStream
    var cursor: Int64
}

/// One item as a healthy subscriber received it, for latency against the source's timestamp.
struct ItemArrival: Sendable {
    var key: ItemKey
    var receivedAt: Double
}
