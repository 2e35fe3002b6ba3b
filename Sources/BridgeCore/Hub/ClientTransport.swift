/// How the hub reaches a client: the transport (plugin instance) that owns it.
public protocol ClientTransport: AnyObject, Sendable {
    var name: String { get }
    var policy: TransportPolicy { get }
    func send(_ client: UInt64, _ bytes: [UInt8]) -> SendStatus
    /// One encoded message to many clients; one status per client, in order.
    func sendMany(_ clients: [UInt64], _ bytes: [UInt8]) -> [SendStatus]
    /// Queues `final` beyond the queue bound, flushes, then closes the client.
    func close(_ client: UInt64, final: [UInt8]?, code: Int32, reason: String)
}

public enum SendStatus: Sendable, Equatable {
    case ok, unknownClient, queueFull, stopped
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

    public init(callAllowlist: [EndpointPattern]? = nil, maxSubscriptionsPerClient: Int = 64, requestsPerSecond: Double = 0,
                slowConsumerCloseCode: Int32 = 4008) {
        self.callAllowlist = callAllowlist
        self.maxSubscriptionsPerClient = maxSubscriptionsPerClient
        self.requestsPerSecond = requestsPerSecond
        self.slowConsumerCloseCode = slowConsumerCloseCode
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
