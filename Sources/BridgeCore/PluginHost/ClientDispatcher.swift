import Foundation
import Logging
import Synchronization
import Locking

/// Serves each client's messages in order, one at a time: register with the hub, answer
/// each message through the router, unregister when the client is gone. A client costs no
/// task while it sends nothing: one runs while it has messages waiting, and ends when they
/// are answered (an idle connection holds only its entry here, not a task's stack).
///
/// What a client can cost others is bounded here:
/// - messages are parsed and answered on dedicated threads (`requestExecutor`), never on
///   the cooperative threads the hub and the sync engine serve subscribers on; a message
///   over `largeMessageBytes` goes to `largeMessageExecutor`, a single thread, so however
///   many clients send large messages at once, one is handled at a time;
/// - a client may have at most `maxPendingMessages` messages, and its transport's
///   `maxPendingRequestBytes` bytes, received and not yet answered, and the connections of
///   one peer (address or uid) `PendingRequests.peerShare` times those bytes together: one
///   more, and it gets a -32004 error and is disconnected;
/// - all clients together may have `maxPendingBytesTotal` bytes waiting: past that, a client
///   that sends ahead of its answers is disconnected the same way, while one with nothing
///   waiting (it waits for each answer before asking again) is still served.
final class ClientDispatcher: Sendable {
    static let maxPendingMessages = 1_000
    /// Messages larger than this are parsed and answered one at a time.
    static let largeMessageBytes = 64 * 1024
    static let maxPendingBytesTotal = 512 * 1024 * 1024

    /// Shared by every dispatcher of the process: the bound is on the process's threads.
    static let requestExecutor = DedicatedExecutor(name: "requests", threadCount: max(2, ProcessInfo.processInfo.activeProcessorCount / 2))
    static let largeMessageExecutor = DedicatedExecutor(name: "large-requests", threadCount: 1)

    private let router: RPCRouter
    private let hub: Hub
    private let logger: Logger

    /// One client's messages not yet taken, and whether a task is serving them.
    private struct Inbox {
        let transport: PluginConnection
        let source: RequestSource
        var bucket: TokenBucket
        var waiting: [[UInt8]] = []
        var next = 0
        /// A task is registering the client or answering its messages.
        var serving = true
        var closed = false

        init(transport: PluginConnection, source: RequestSource) {
            self.transport = transport
            self.source = source
            bucket = TokenBucket(ratePerSecond: transport.policy.requestsPerSecond)
        }

        /// Queues a message; true when no task serves the client and one must start.
        mutating func enqueue(_ bytes: [UInt8]) -> Bool {
            waiting.append(bytes)
            defer { serving = true }
            return !serving
        }

        /// The next message to answer (nil: none waits, and the serving task ends).
        mutating func take() -> (bytes: [UInt8], admitted: Bool)? {
            guard next < waiting.count else {
                waiting = []
                next = 0
                serving = false
                return nil
            }
            let bytes = waiting[next]
            waiting[next] = []  // answered messages are not held
            next += 1
            if next == waiting.count {
                waiting.removeAll(keepingCapacity: false)
                next = 0
            }
            return (bytes, bucket.take())
        }
    }

    /// Each client's inbox, and what waits in them.
    private struct Clients {
        var inboxes: [UInt64: Inbox] = [:]
        var pending = PendingRequests(maxMessages: ClientDispatcher.maxPendingMessages,
                                      maxTotalBytes: ClientDispatcher.maxPendingBytesTotal)
    }

    private let clients = Locked(Clients())
    /// Drained clients not yet handed to the hub (see `writable`).
    private let drained = Locked<[UInt64]>([])
    /// Messages received and not yet answered, over all clients.
    private let inFlight = Atomic<Int>(0)

    init(router: RPCRouter, hub: Hub, logger: Logger) {
        self.router = router
        self.hub = hub
        self.logger = logger
    }

    func opened(_ client: UInt64, peer: String, transport: PluginConnection) {
        let source = RequestSource(client: client, maxAnswerBytes: transport.policy.maxAnswerBytes, upstream: UpstreamRate(burst: transport.policy.upstreamRequestsBurst,
                                                                       perSecond: transport.policy.upstreamRequestsPerSecond))
        clients.withLock { clients in
            clients.inboxes[client] = Inbox(transport: transport, source: source)
            clients.pending.open(client, maxBytes: transport.policy.maxPendingRequestBytes, peer: Self.peer(in: peer))
        }
        logger.debug("client \(client) connected on \(transport.name): \(peer)")
        // Registered before any of its messages is answered: they wait in the inbox meanwhile.
        Task(executorPreference: Self.requestExecutor) {
            await self.hub.register(client, transport: transport)
            await self.serve(client)
        }
    }

    func message(_ client: UInt64, _ bytes: [UInt8]) {
        let (admission, start) = clients.withLock { clients -> (PendingRequests.Admission, Bool) in
            let admission = clients.pending.admit(bytes.count, from: client)
            // Under the lock: messages of one client stay in the order they arrived. In place:
            // the inbox's queue is not copied.
            guard admission == .admitted, let start = clients.inboxes[client]?.enqueue(bytes) else { return (admission, false) }
            inFlight.add(1, ordering: .relaxed)
            return (admission, start)
        }
        if start {
            Task(executorPreference: Self.requestExecutor) { await self.serve(client) }
        }
        guard case .refused(let refusal) = admission else { return }
        logger.warning("client \(client) sent \(refusal): disconnecting")
        let error = RPCMessage.error(id: .null, .rateLimited(refusal))
        let transport = clients.withLock { $0.inboxes[client]?.transport }
        closeInbox(client)
        // Not from within the plugin's callback that delivered the message.
        Task { transport?.close(client, final: error.encodedBytes(), code: 1008, reason: "request flood") }
    }

    func closed(_ client: UInt64, reason: String) {
        logger.debug("client \(client) closed: \(reason)")
        closeInbox(client)
    }

    /// Who is behind a connection, for budgets its connections share: the address of a
    /// network client, the uid of a local one (from the transport's `peer_info_json`).
    static func peer(in info: String) -> String? {
        guard let peer = try? JSONValue.parse(Array(info.utf8), maxDepth: 4) else { return nil }
        if let address = peer["address"]?.stringValue { return "address \(address)" }
        if let uid = peer["uid"]?.int64Value { return "uid \(uid)" }
        return nil
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

    /// No more messages from the client; those waiting are still answered, then it is
    /// unregistered (at once when none waits).
    private func closeInbox(_ client: UInt64) {
        let idle = clients.withLock { clients -> Bool in
            clients.pending.close(client)
            guard let serving = clients.inboxes[client]?.serving, clients.inboxes[client]?.closed == false else { return false }
            guard !serving else {
                clients.inboxes[client]?.closed = true
                return false
            }
            clients.inboxes[client] = nil
            return true
        }
        if idle { Task { await self.hub.unregister(client) } }
    }

    /// Answers the client's waiting messages in order; ends when none is left (unregistering
    /// the client if it closed meanwhile).
    private func serve(_ client: UInt64) async {
        enum Step {
            case answer((bytes: [UInt8], admitted: Bool), PluginConnection, RequestSource)
            case idle
            case gone
        }
        while true {
            let step = clients.withLock { clients -> Step in
                // Field by field, in place: a copy of the inbox would copy its queue on `take`.
                guard let transport = clients.inboxes[client]?.transport, let source = clients.inboxes[client]?.source else { return .idle }
                guard let message = clients.inboxes[client]?.take() else {
                    guard clients.inboxes[client]?.closed == true else { return .idle }
                    clients.inboxes[client] = nil
                    return .gone
                }
                return .answer(message, transport, source)
            }
            switch step {
            case .answer(let message, let transport, let source):
                await answer(message.bytes, admitted: message.admitted, from: source, transport: transport)
            case .idle: return
            case .gone:
                await hub.unregister(client)
                return
            }
        }
    }

    private func answer(_ bytes: [UInt8], admitted: Bool, from source: RequestSource, transport: PluginConnection) async {
        let client = source.client
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
