import BridgePluginKit
import CBridgePlugin
import CLibWebSockets

/// The WebSocket transport: JSON-RPC over ws:// and wss:// (libwebsockets, TLS via
/// OpenSSL), one message per text frame, with bearer tokens, an Origin allow-list,
/// connection limits, feed mode, and plain HTTP beside it (dashboard, health, metrics).
///
/// Host calls come from any thread and only queue: messages go into the client's bounded
/// outbox (shared, not copied, across a fan-out) and the service thread is woken to
/// write them.
final class WebSocketTransport: OutboxTransport, HeadroomRequiring {
    let messageHeadroom = Int(clws_pre())
    private let host: BridgeHost
    private let configuration: WebSocketConfiguration
    private let access: AccessPolicy
    private let registry = ClientRegistry()
    private let metrics = TransportMetrics()
    private let server = Locked<WebSocketServer?>(nil)

    init(host: BridgeHost, configJSON: String) throws {
        self.host = host
        configuration = try PluginConfiguration.decode(WebSocketConfiguration.self, from: configJSON)
        access = AccessPolicy(tokens: configuration.tokens,
                              origins: OriginPolicy(allowedOrigins: configuration.allowedOrigins))
    }

    /// A host that destroys without stopping still gets no call from the service thread.
    deinit { stop() }

    func start() throws {
        let started = WebSocketServer(configuration: configuration, host: host, registry: registry, metrics: metrics, access: access)
        try started.start()
        server.withLock { $0 = started }
    }

    func stop() {
        server.withLock { $0.take() }?.stop()
    }

    func enqueue(for client: UInt64, _ enqueue: (ClientOutbox) -> bridge_status) -> bridge_status {
        guard let target = registry.client(client) else { return registry.isStopped ? BRIDGE_ERR_STOPPED : BRIDGE_ERR_UNKNOWN_CLIENT }
        let status = enqueue(target.outbox)
        if status == BRIDGE_ERR_QUEUE_FULL { metrics.queueFull.add(1, ordering: .relaxed) }
        if status.isAccepted { registry.requestService(CollectionOfOne(target)) }
        return status
    }

    /// One shared message to many clients, with one wake-up of the service thread.
    func sendMany(_ clients: UnsafeBufferPointer<UInt64>, _ message: SharedMessage, statuses: UnsafeMutablePointer<bridge_status>?) {
        fanOut(clients, statuses: statuses) { _, target in target.outbox.enqueue(message) }
    }

    func sendSuperseding(_ clients: UnsafeBufferPointer<UInt64>, streams: UnsafeBufferPointer<UInt64>, combined: SharedMessage?,
                         alone: SharedMessage, statuses: UnsafeMutablePointer<bridge_status>?) {
        fanOut(clients, statuses: statuses) { index, target in
            target.outbox.enqueue(alone, superseding: streams[index], combined: combined)
        }
    }

    /// Queues through `enqueue` (given each client's index) for each of `clients`, then
    /// wakes the service thread once for those that have a message more.
    private func fanOut(_ clients: UnsafeBufferPointer<UInt64>, statuses: UnsafeMutablePointer<bridge_status>?,
                        _ enqueue: (Int, WebSocketClient) -> bridge_status) {
        var accepted: [WebSocketClient] = []
        accepted.reserveCapacity(clients.count)
        let stopped = registry.isStopped
        for (index, target) in registry.clients(clients).enumerated() {
            var status = stopped ? BRIDGE_ERR_STOPPED : BRIDGE_ERR_UNKNOWN_CLIENT
            if let target {
                status = enqueue(index, target)
                if status == BRIDGE_ERR_QUEUE_FULL { metrics.queueFull.add(1, ordering: .relaxed) }
                if status.isAccepted { accepted.append(target) }
            }
            statuses?[index] = status
        }
        registry.requestService(accepted)
    }

    func closeClient(_ client: UInt64, final: SharedMessage?, code: Int32, reason: String) {
        guard let target = registry.client(client) else { return }
        let closeCode = (1000...4999).contains(code) ? UInt32(code) : 1000
        target.requestClose(.init(code: closeCode, reason: reason.isEmpty ? "closed by the bridge" : reason), final: final)
        registry.requestService(CollectionOfOne(target))
    }
}
