import Foundation
import Logging
import Synchronization

/// Serves each client's messages in order, one at a time, on its own task: register with
/// the hub, answer each message through the router, unregister when the client is gone.
/// A client that floods requests faster than they are answered is disconnected.
final class ClientDispatcher: Sendable {
    enum Event: Sendable {
        case message([UInt8])
    }

    /// Messages waiting per client beyond which the client is cut off.
    static let maxPendingMessages = 1_000

    private let router: RPCRouter
    private let hub: Hub
    private let logger: Logger
    private let inboxes = Mutex<[UInt64: AsyncStream<Event>.Continuation]>([:])
    /// Messages received and not yet answered, over all clients.
    private let inFlight = Atomic<Int>(0)

    init(router: RPCRouter, hub: Hub, logger: Logger) {
        self.router = router
        self.hub = hub
        self.logger = logger
    }

    var clientCount: Int { inboxes.withLock { $0.count } }

    func opened(_ client: UInt64, peer: String, transport: PluginConnection) {
        let (stream, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingOldest(Self.maxPendingMessages))
        inboxes.withLock { $0[client] = continuation }
        logger.debug("client \(client) connected on \(transport.name): \(peer)")
        Task { await self.serve(client, transport: transport, stream) }
    }

    func message(_ client: UInt64, _ bytes: [UInt8]) {
        guard let inbox = inboxes.withLock({ $0[client] }) else { return }
        inFlight.add(1, ordering: .relaxed)
        if case .dropped = inbox.yield(.message(bytes)) {
            inFlight.subtract(1, ordering: .relaxed)
            logger.warning("client \(client) sent more than \(Self.maxPendingMessages) requests ahead of their answers: disconnecting")
            let error = RPCMessage.error(id: .null, .rateLimited("more than \(Self.maxPendingMessages) requests pending"))
            closeInbox(client)
            Task { await self.closeClient(client, final: Array(error.encoded()), reason: "request flood") }
        }
    }

    func closed(_ client: UInt64, reason: String) {
        logger.debug("client \(client) closed: \(reason)")
        closeInbox(client)
    }

    func writable(_ client: UInt64) {
        Task { await hub.clientWritable(client) }
    }

    private func closeInbox(_ client: UInt64) {
        inboxes.withLock { $0.removeValue(forKey: client) }?.finish()
    }

    private func closeClient(_ client: UInt64, final: [UInt8]?, reason: String) async {
        await hub.transport(of: client)?.close(client, final: final, code: 1008, reason: reason)
    }

    private func serve(_ client: UInt64, transport: PluginConnection, _ stream: AsyncStream<Event>) async {
        await hub.register(client, transport: transport)
        var bucket = TokenBucket(ratePerSecond: transport.policy.requestsPerSecond)
        for await event in stream {
            guard case .message(let bytes) = event else { continue }
            let reply: RPCRouter.Reply
            if bucket.take() {
                reply = await router.handle(bytes, client: client)
            } else {
                reply = router.reject(bytes, with: .rateLimited("more than \(transport.policy.requestsPerSecond) requests per second"))
            }
            if let response = reply.bytes, transport.send(client, response) == .queueFull {
                logger.notice("client \(client) on \(transport.name) is not reading its responses: disconnecting")
                transport.close(client, final: nil, code: transport.policy.slowConsumerCloseCode, reason: "slow consumer")
            }
            // After the response is queued: what it announces (a subscription going live or
            // catching up) must not overtake it.
            for followUp in reply.followUps { await followUp() }
            inFlight.subtract(1, ordering: .relaxed)
        }
        await hub.unregister(client)
    }

    /// Waits until every message received so far has been answered (or `timeout` passes),
    /// so a shutdown asked for by a transport does not cut off answers in progress.
    func waitUntilIdle(timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        while inFlight.load(ordering: .relaxed) > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}
