/// The JSON events the generator writes on stdout (snake_case keys).

struct ConnectedEvent: Encodable {
    let event = "connected"
    var label: String
    var established: Int
    var failed: Int
    var seconds: Double
}

struct ReachedEvent: Encodable {
    let event = "reached"
    var cursor: Int64
    var reached: Int
    var of: Int
    var seconds: Double
    var timedOut: Bool
}

struct DroppedEvent: Encodable {
    let event = "dropped"
    var stillOpen: Int
    var seconds: Double
}

struct Totals: Encodable {
    var established: Int
    var open: Int
    var failed: Int
    var closedByPeer: Int
    var messages: Int
    var otherMessages: Int
    var items: Int
    var bytes: Int
    var duplicates: Int
    var outOfOrder: Int
    var resets: Int
    var sent: Int
}

struct CPUFigures: Encodable {
    var userSeconds: Double
    var systemSeconds: Double
    /// Of one core, over the window.
    var processFraction: Double
    /// Each service thread's share of one core over the window.
    var threadFractions: [Double]
    /// A service thread above 90 % of a core: the generator may be the bottleneck.
    var saturated: Bool
}

struct ReportEvent: Encodable {
    let event = "report"
    var label: String
    var at: Double
    var windowSeconds: Double
    var totals: Totals
    var windowMessages: Int
    var windowItems: Int
    var windowBytes: Int
    /// First and last arrival (sampled connections) in the window.
    var firstArrival: Double?
    var lastArrival: Double?
    var latencyMs: LatencySummary
    /// Sampled arrivals whose change the latency source does not know.
    var unmatched: Int
    var latencyTimeline: [LatencyTimelinePoint]
    var cpu: CPUFigures
}

struct StreamCheck: Encodable {
    var duplicates: Int
    var outOfOrder: Int
    /// Cursors inside a connection's received range that never came (from the simulator's
    /// log, or consecutive numbering for the mirror sender); nil when neither is known.
    var missing: Int?
}

struct SummaryEvent: Encodable {
    let event = "summary"
    var connectionsRequested: Int
    var receivers: Int
    var stalled: Int
    var totals: Totals
    var closeCodes: [String: Int]
    var errors: [String]
    var messagesPerConnection: [Int]
    var itemsPerConnection: [Int]
    var order: StreamCheck
    var stalledMessages: Int
    var stalledClosedByPeer: Int
    var latencyMs: LatencySummary
    var wallSeconds: Double
    var cpu: CPUFigures
    var fileLimit: Int
}
