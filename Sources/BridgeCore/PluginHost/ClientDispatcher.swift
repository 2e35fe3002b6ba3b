import Foundation
import Logging
import Synchronization

/// Serves each client's messages in order, one at a time, on its own task: register with
/// the hub, answer each message through the router, unregister when the client is gone.
///
/// What a client can cost others is bounded here:
/// - messages are parsed and answered on dedicated threads (`requestExecutor`), never on
///   the cooperative threads the hub and the sync engine serve subscribers on; a message
///   over `largeMessageBytes` goes to `largeMessageExecutor`, a single thread, so however
///   many clients send large messages at once, one is handled at a time;
/// - a client may have at most `maxPendingMessages` messages, and its transport's
///   `maxPendingRequestBytes` bytes, received and not yet answered: one more, and it gets a
///   -32004 error and is disconnected;
/// - all clients together may have `maxPendingBytesTotal` bytes waiting: past that, a client
///   that sends ahead of its answers is disconnected the same way, while one with nothing
///   waiting (it waits for each answer before asking again) is still served.
final class ClientDispatcher: Sendable {
    static let maxPendingMessages = 1_000
    /// Messages larger than this are parsed and answered one at a time.
    static let largeMessageBytes = 64 * 1024
    static let maxPendingBytesTotal = 512 * 1024 * 1024

    /// Shared by every dispatcher of the process: the bound is on the process's threads.
    static let requestExecutor = DedicatedExecutor(threadCount: max(2, ProcessInfo.processInfo.activeProcessorCount / 2))
    static let largeMessageExecutor = DedicatedExecutor(threadCount: 1)

    private let router: RPCRouter
    private let hub: Hub
    private let logger: Logger

    /// Each client's queue of messages, and what waits in them.
    private struct Clients {
        var inboxes: [UInt64: AsyncStream<[UInt8]>.Continuation] = [:]
        var pending = PendingRequests(maxMessages: ClientDispatcher.maxPendingMessages,
                                      maxTotalBytes: ClientDispatcher.maxPendingBytesTotal)
    }

    private let clients = Mutex(Clients())
    /// Drained clients not yet handed to the hub (see `writable`).
    private let drained = Mutex<[UInt64]>([])
    /// Messages received and not yet answered, over all clients.
    private let inFlight = Atomic<Int>(0)

    init(router: RPCRouter, hub: Hub, logger: Logger) {
        self.router = router
        self.hub = hub
        self.logger = logger
    }

    func opened(_ client: UInt64, peer: String, transport: PluginConnection) {
        // Unbounded as a stream: `message` bounds what waits in it, in messages and bytes.
        let (stream, continuation) = AsyncStream.makeStream(of: [UInt8].self)
        clients.withLock { clients in
            clients.inboxes[client] = continuation
            clients.pending.open(client, maxBytes: transport.policy.maxPendingRequestBytes)
        }
        logger.debug("client \(client) connected on \(transport.name): \(peer)")
        Task(executorPreference: Self.requestExecutor) { await self.serve(client, transport: transport, stream) }
    }

    func message(_ client: UInt64, _ bytes: [UInt8]) {
        let admission = clients.withLock { clients -> PendingRequests.Admission in
            let admission = clients.pending.admit(bytes.count, from: client)
            if admission == .admitted {
                // Under the lock: messages of one client stay in the order they arrived.
                clients.inboxes[client]?.yield(bytes)
                inFlight.add(1, ordering: .relaxed)
            }
            return admission
        }
        guard case .refused(let refusal) = admission else { return }
        logger.warning("client \(client) sent \(refusal): disconnecting")
        let error = RPCMessage.error(id: .null, .rateLimited(refusal))
        closeInbox(client)
        Task { await self.closeClient(client, final: error.encodedBytes(), reason: "request flood") }
    }

    func closed(_ client: UInt64, reason: String) {
        logger.debug("client \(client) closed: \(reason)")
        closeInbox(client)
    }

    /// Clients whose transport drained, handed to the hub together: one hub turn serves all
    /// that drained meanwhile, sharing what they are sent.
    func writable(_ client: UInt64) {
        let first = drained.withLock { drained in
            drained.append(client)
            return drained.count == 1
        }
        guard first else { return }
        Task {
            let clients = drained.withLock { drained in
                defer { drained.removeAll(keepingCapacity: true) }
                return drained
            }
            await hub.clientsWritable(clients)
        }
    }

    private func closeInbox(_ client: UInt64) {
        clients.withLock { clients in
            clients.pending.close(client)
            return clients.inboxes.removeValue(forKey: client)
        }?.finish()
    }

    private func closeClient(_ client: UInt64, final: [UInt8]?, reason: String) async {
        await hub.transport(of: client)?.close(client, final: final, code: 1008, reason: reason)
    }

    private func serve(_ client: UInt64, transport: PluginConnection, _ stream: AsyncStream<[UInt8]>) async {
        await hub.register(client, transport: transport)
        let source = RequestSource(client: client, maxAnswerBytes: transport.policy.maxAnswerBytes, upstream: UpstreamRate())
        var bucket = TokenBucket(ratePerSecond: transport.policy.requestsPerSecond)
        for await bytes in stream {
            let admitted = bucket.take()
            let reply: RPCRouter.Reply
            if bytes.count > Self.largeMessageBytes {
                reply = await withTaskExecutorPreference(Self.largeMessageExecutor) {
                    await answer(bytes, from: source, admitted: admitted, transport: transport)
                }
            } else {
                reply = await answer(bytes, from: source, admitted: admitted, transport: transport)
            }
            if let response = reply.bytes, transport.send(client, response) == .queueFull {
                logger.notice("client \(client) on \(transport.name) is not reading its responses: disconnecting")
                transport.close(client, final: nil, code: transport.policy.slowConsumerCloseCode, reason: "slow consumer")
            }
            // After the response is queued: what it announces (a subscription going live or
            // catching up) must not overtake it.
            for followUp in reply.followUps { await followUp() }
            clients.withLock { $0.pending.answered(bytes.count, for: client) }
            inFlight.subtract(1, ordering: .relaxed)
        }
        await hub.unregister(client)
    }

    private func answer(_ bytes: [UInt8], from source: RequestSource, admitted: Bool, transport: PluginConnection) async -> RPCRouter.Reply {
        guard admitted else {
            return router.reject(bytes, with: .rateLimited("more than \(transport.policy.requestsPerSecond) requests per second"))
        }
        return await router.handle(bytes, from: source)
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
