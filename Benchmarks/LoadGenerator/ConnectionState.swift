/// One WebSocket connection of a worker. Touched only on that worker's service thread
/// (and by the controller after the thread has ended).
struct ConnectionState {
    enum Phase: Equatable {
        case idle
        case connecting
        case open
        case closed
        case failed
    }

    let role: ConnectionRole
    /// Whether its arrivals are kept for latency.
    let sampled: Bool
    var phase: Phase = .idle
    var wsi: OpaquePointer?
    var project = StreamProgress()
    var cc = StreamProgress()
    var messages = 0
    var bytes = 0
    var resets = 0
    var connects = 0
    var failures = 0
    var closeCodes: [Int] = []
    var closeRequested = false
    /// Closed by the server (not by the generator's drop or stop).
    var closedByPeer = false
    /// RPC mode: the `sync.subscribe` still to be written.
    var subscribePending = false
    var flowStopped = false
    var reachedTarget = false
    /// A message split over several receive callbacks, until its last fragment.
    var fragments: [UInt8] = []
    /// The last position seen, for `since` (epoch as raw bytes until needed).
    var epoch: [UInt8] = []
    var ccCursor: Int64 = 0
    var cursor: Int64 = 0
    var sentMessages = 0

    init(role: ConnectionRole, sampled: Bool) {
        self.role = role
        self.sampled = sampled
    }

    var position: BridgePosition? {
        guard !epoch.isEmpty else { return nil }
        return BridgePosition(epoch: String(decoding: epoch, as: UTF8.self), ccCursor: ccCursor, cursor: cursor)
    }

    mutating func remember(_ position: ChangeScanner.Position) {
        ccCursor = position.ccCursor
        cursor = position.cursor
        if !position.epoch.elementsEqual(epoch) { epoch = Array(position.epoch) }
    }
}
