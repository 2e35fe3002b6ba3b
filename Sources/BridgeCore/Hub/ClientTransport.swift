/// How the hub reaches a client: the transport (plugin instance) that owns it.
public protocol ClientTransport: AnyObject, Sendable {
    var name: String { get }
    var policy: TransportPolicy { get }
    func send(_ client: UInt64, _ bytes: [UInt8]) -> SendStatus
    /// One encoded message to many clients; one status per client, in order.
    func sendMany(_ clients: [UInt64], _ bytes: [UInt8]) -> [SendStatus]
    /// Live fan-out that may supersede: per client, `combined` replaces the message last
    /// sent here for `streams[i]` while the transport still holds it untaken (`superseded`),
    /// else `alone` is queued as `sendMany` would (see bridge_plugin.h, ABI 1.3).
    func sendSuperseding(_ clients: [UInt64], streams: [UInt64], combined: [UInt8]?, alone: [UInt8]) -> [SendStatus]
    /// Whether `sendSuperseding` can supersede: only then is a combined message worth encoding.
    var supersedes: Bool { get }
    /// Queues `final` beyond the queue bound, flushes, then closes the client.
    func close(_ client: UInt64, final: [UInt8]?, code: Int32, reason: String)
}

public enum SendStatus: Sendable, Equatable {
    case ok
    /// Replaced the client's untaken message of the same stream (`sendSuperseding`):
    /// nothing more is queued.
    case superseded
    /// Accepted behind messages the client has not taken yet; `clientWritable` follows once
    /// its queue is empty, and until then the hub holds further changes back to batch them.
    case busy
    case unknownClient, queueFull, stopped
}

extension ClientTransport {
    public var supersedes: Bool { false }

    /// A transport that cannot supersede queues `alone`.
    public func sendSuperseding(_ clients: [UInt64], streams: [UInt64], combined: [UInt8]?, alone: [UInt8]) -> [SendStatus] {
        sendMany(clients, alone)
    }
}

/// Per-transport rules for its clients.
public struct TransportPolicy: Sendable {
    /// Endpoints `unicat.call` may reach; nil means read-only endpoints.
    public var callAllowlist: [EndpointPattern]?
    public var maxSubscriptionsPerClient: Int
    /// 0 = unlimited.
    public var requestsPerSecond: Double
    /// WebSocket close code for a slow consumer (ignored by other transports).
    public var slowConsumerCloseCode: Int32
    /// Changes a live subscriber may fall behind while its client is not reading before it
    /// is a slow consumer: the transport's `queue_max_messages`, as if each change had been
    /// queued as its own message.
    public var slowConsumerBacklog: Int
    /// Bytes of a client's messages received and not yet answered beyond which the client
    /// is cut off: what a client can make the bridge hold by sending ahead of its answers.
    public var maxPendingRequestBytes: Int
    /// The largest answer to one message (a whole batch's array): a request whose answer
    /// would be larger gets an error instead.
    public var maxAnswerBytes: Int
    /// Upstream requests one client may cause (`unicat.get`'s fetches, `unicat.call`): a
    /// burst of this many, then `upstreamRequestsPerSecond`.
    public var upstreamRequestsBurst: Int = UpstreamRate.defaultBurst
    public var upstreamRequestsPerSecond: Double = UpstreamRate.defaultPerSecond

    public static let defaultMaxAnswerBytes = 16 * 1024 * 1024
    public static let defaultMaxPendingRequestBytes = 32 * 1024 * 1024

    public init(callAllowlist: [EndpointPattern]? = nil, maxSubscriptionsPerClient: Int = 64, requestsPerSecond: Double = 0,
                slowConsumerCloseCode: Int32 = 4008, slowConsumerBacklog: Int = 10_000,
                maxPendingRequestBytes: Int = TransportPolicy.defaultMaxPendingRequestBytes,
                maxAnswerBytes: Int = TransportPolicy.defaultMaxAnswerBytes) {
        self.callAllowlist = callAllowlist
        self.maxSubscriptionsPerClient = maxSubscriptionsPerClient
        self.requestsPerSecond = requestsPerSecond
        self.slowConsumerCloseCode = slowConsumerCloseCode
        self.slowConsumerBacklog = slowConsumerBacklog
        self.maxPendingRequestBytes = maxPendingRequestBytes
        self.maxAnswerBytes = maxAnswerBytes
    }

    /// Whether `unicat.call` may reach `endpoint` (canonical) from this transport.
    /// Credential endpoints never, whatever the allow-list says; the project API behind the
    /// global prefix (`//p/<gid>/…`, maybe another project's) only when the allow-list names
    /// that prefix.
    public func permits(_ endpoint: UnicatEndpoint) -> Bool {
        if endpoint.handlesCredentials { return false }
        guard let allowlist = callAllowlist else { return endpoint.isRead && !endpoint.reachesProjectThroughGlobalPrefix }
        return allowlist.contains { $0.matches(endpoint) }
    }
}
