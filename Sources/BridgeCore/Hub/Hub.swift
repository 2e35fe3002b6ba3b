import Foundation
import Logging
import Locking

/// Subscriptions and delivery. Every subscription moves through one path: created pending
/// (its `sync.subscribe` response goes out first), then caught up on its own task from the
/// journal (or, older than the journal, from Unicat's log, shared between subscribers),
/// then live at the journal's end, where `publish` encodes each batch once per filter and
/// hands the same bytes to every subscriber of that filter. Whatever a live subscriber
/// cannot take at once (its client is blocked, an object must be fetched, its position is
/// unusual) sends it back to catching up, which reads the journal again: the journal is the
/// buffer, so no path holds changes in memory and none skips or repeats one (see
/// `Subscription`).
///
/// Adaptive batching: while a client's transport still holds a message it has not taken
/// (`busy`), its live changes are held back in the journal and go out together in one
/// notification when the transport says it drained: the message rate per subscriber
/// follows its socket, not the change rate, with no timer and no delay when idle.
///
/// Slow consumers: a catch-up waits for the transport to drain. A live subscriber held back
/// longer than the transport's queue bound (in changes), or whose send the transport refuses,
/// ends with `sync.reset {slow_consumer}` and a disconnect unless it is `latest_only`; a
/// `latest_only` one catches up later with the latest change per key.
public actor Hub {
    /// A class, not a struct: fan-out looks up every member per change, and a lookup then
    /// retains one reference instead of copying the client's collections.
    final class Client {
        let id: UInt64
        let transport: any ClientTransport
        var subscriptions = SubscriptionTable()
        var catchUps: [String: Task<Void, Never>] = [:]
        var writableWaiters: [CheckedContinuation<Void, Never>] = []
        /// The transport refused a message and has not said it drained since.
        var blocked = false
        var closing = false
        var wantsUpstreamState = false

        init(id: UInt64, transport: any ClientTransport) {
            self.id = id
            self.transport = transport
        }
    }

    /// A live member of a group as fan-out needs it, kept while it is a member.
    struct Member {
        let id: UInt64
        let client: Client
        /// Its subscription in the group.
        let subscription: SubscriptionTable.Box
    }

    static let replayPageSize = 500
    /// A live notification replaces the subscriber's untaken one while the two together
    /// stay this short; beyond, its writer is not keeping up and the queue, then the
    /// hold-back, show it (a stalled subscriber costs no more than this per change).
    static let supersedingEntries: Int64 = 64
    static let supersedingBytes = 256 * 1024
    /// latest_only catch-ups read larger pages: only the last change per key of a page goes out.
    static let coalescingPageSize = 5_000

    let store: BridgeStore
    let syncLog: SyncLogPages
    let fetcher: ObjectFetcher
    let logger: Logger
    var clients: [UInt64: Client] = [:]
    /// Live subscribers per group, each with what fan-out needs of it at hand.
    var members: [SubscriptionGroup: [UInt64: Member]] = [:]
    /// The last journal sequence published.
    var lastSequence: Int64 = 0
    var position: BridgePosition?
    var generations: UInt64 = 0
    /// Some subscription includes objects: only then are items encoded with theirs.
    var objectsWanted = false
    /// Clients whose live subscriptions are held back until they read: the sequence at
    /// which that began. Past the transport's bound a client is a slow consumer.
    var heldBack: [UInt64: Int64] = [:]
    /// No held-back client can be past its bound before this sequence (a lower bound: a
    /// client let go leaves it early, and the next check moves it on), so a publish does
    /// not walk `heldBack` to find none.
    var nextHeldBackCheck = Int64.max
    var objectInterestChanged: (@Sendable (Set<String>) -> Void)?
    /// Encoded replay pages: subscribers resuming from the same place with the same filter
    /// get the same bytes, so a resume storm encodes each page once.
    var replayPages = ReplayPageCache(capacity: 64)
    /// Journal pages being read for catch-ups (see `journalPage`).
    var journalReads: [JournalPageRead: Task<[JournalEntry], any Error>] = [:]
    var recent: JournalRing
    let figureCounts = Locked(HubFigures())

    public init(store: BridgeStore, syncLog: SyncLogPages, fetcher: ObjectFetcher, logger: Logger) {
        recent = JournalRing(capacity: min(store.journalLimit, 10_000))
        self.store = store
        self.syncLog = syncLog
        self.fetcher = fetcher
        self.logger = logger
    }

    /// Starts the hub at the engine's current position.
    public func start(at position: BridgePosition?, onObjectInterest: @escaping @Sendable (Set<String>) -> Void) throws {
        self.position = position
        lastSequence = try store.journalBounds().last
        objectInterestChanged = onObjectInterest
    }

    public var currentPosition: BridgePosition? { position }

    // MARK: Clients

    public func register(_ client: UInt64, transport: any ClientTransport) {
        let known = clients.updateValue(Client(id: client, transport: transport), forKey: client) != nil
        count {
            $0.clientsOpened += 1
            if !known { $0.counted(clients: 1, on: transport.name) }
        }
    }

    public func unregister(_ client: UInt64) {
        heldBack[client] = nil
        guard let removed = clients.removeValue(forKey: client) else { return }
        count {
            $0.counted(clients: -1, subscriptions: -removed.subscriptions.count, blocked: removed.blocked ? -1 : 0,
                       on: removed.transport.name)
        }
        for subscription in removed.subscriptions.values { leave(subscription.group, client) }
        for task in removed.catchUps.values { task.cancel() }
        for waiter in removed.writableWaiters { waiter.resume() }
        if removed.subscriptions.values.contains(where: \.filter.includeObjects) { publishObjectInterest() }
    }

    /// The client's transport drained: what waited for it may go (see `clientsWritable`).
    func markWritable(_ client: UInt64) {
        guard let state = clients[client] else { return }
        heldBack[client] = nil
        // Its queue emptied (or halved): what was sent is taken, or soon will be, so the next
        // notification goes alone rather than be encoded twice for a replacement unlikely to happen.
        for subscription in state.subscriptions.boxes { subscription.value.untakenAfter = nil }
        if state.blocked { count { $0.counted(blocked: -1, on: state.transport.name) } }
        state.blocked = false
        let waiters = state.writableWaiters
        state.writableWaiters.removeAll()
        for waiter in waiters { waiter.resume() }
    }

    // MARK: Subscribing

    public struct Subscribed: Sendable {
        public let subscription: String
        public let position: BridgePosition
        public let recovered: Bool
        /// For `activate`.
        public let generation: UInt64
    }

    /// Adds (or re-arms) a subscription, pending until `activate`: the caller sends the
    /// response first, so it precedes every notification of the subscription. `since` in
    /// the current epoch resumes after it (it may be ahead of this instance: the caller
    /// checked it against Unicat); from another epoch it owes the subscriber a reset.
    public func subscribe(_ client: UInt64, filter: SubscriptionFilter, since: BridgePosition?) throws(RPCError) -> Subscribed {
        guard let state = clients[client], !state.closing else { throw .internalError("unknown client") }
        guard let current = position else { throw .upstreamUnavailable("the bridge has no data yet") }
        let id = subscriptionID(for: filter, in: state)
        if state.subscriptions[id] == nil, state.subscriptions.count >= state.transport.policy.maxSubscriptionsPerClient {
            throw .tooManySubscriptions(state.transport.policy.maxSubscriptionsPerClient)
        }
        retire(client, id)
        generations += 1
        var subscription = Subscription(id: id, filter: filter, generation: generations, epoch: current.epoch,
                                        delivered: current.cursors, sequence: lastSequence, position: current,
                                        backlogEnd: 0, stage: .pending, pendingReset: nil)
        var recovered = false
        if let since, since != current {
            if since.epoch != current.epoch {
                subscription.pendingReset = "epoch_changed"
            } else {
                do {
                    // Near the head the ring knows, without a read on the hub.
                    subscription.sequence = try recent.sequence(reachedAt: since.cursors) ?? store.sequence(reachedAt: since.cursors)
                } catch {
                    throw .internalError("cannot read the journal: \(error)")
                }
                subscription.delivered = since.cursors
                subscription.position = since
                subscription.backlogEnd = lastSequence
                recovered = true
            }
        }
        if clients[client]?.subscriptions.updateValue(subscription, forKey: id) == nil {
            count { $0.counted(subscriptions: 1, on: state.transport.name) }
        }
        clients[client]?.wantsUpstreamState = true
        if filter.includeObjects { publishObjectInterest() }
        return Subscribed(subscription: id, position: subscription.position, recovered: recovered,
                          generation: subscription.generation)
    }

    /// Lets a pending subscription deliver: live at once when it is at the journal's end
    /// and owes nothing, else caught up first.
    public func activate(_ client: UInt64, _ id: String, generation: UInt64) {
        guard let state = clients[client], var subscription = state.subscriptions[id],
              subscription.generation == generation, subscription.stage == .pending else { return }
        if subscription.pendingReset == nil, subscription.sequence == lastSequence, !state.blocked {
            subscription.stage = .live
            clients[client]?.subscriptions[id] = subscription
            join(subscription.group, client)
        } else {
            startCatchUp(client, id)
        }
    }

    public func unsubscribe(_ client: UInt64, _ id: String) throws(RPCError) {
        guard let removed = clients[client]?.subscriptions[id] else { throw .unknownSubscription(id) }
        retire(client, id)
        clients[client]?.subscriptions[id] = nil
        if let transport = clients[client]?.transport { count { $0.counted(subscriptions: -1, on: transport.name) } }
        if removed.filter.includeObjects { publishObjectInterest() }
    }

    /// Stops whatever feeds the subscription `id` now (live membership, catch-up task).
    func retire(_ client: UInt64, _ id: String) {
        guard let state = clients[client] else { return }
        if let subscription = state.subscriptions[id] { leave(subscription.group, client) }
        state.catchUps.removeValue(forKey: id)?.cancel()
    }

    /// Equal filters share an id; a different filter whose id collides gets a suffix.
    private func subscriptionID(for filter: SubscriptionFilter, in state: Client) -> String {
        let base = filter.subscriptionID
        var id = base
        var suffix = 2
        while let existing = state.subscriptions[id], existing.filter != filter {
            id = "\(base)-\(suffix)"
            suffix += 1
        }
        return id
    }

    // MARK: Epochs and upstream state

    /// A new epoch: every subscription is told to reload and continues from its start.
    public func epochStarted(_ first: BridgePosition, reason: String) {
        position = first
        lastSequence = 0
        replayPages = ReplayPageCache(capacity: 64)
        journalReads = [:]
        recent.removeAll()
        for (clientID, state) in clients {
            for (id, var subscription) in state.subscriptions {
                retire(clientID, id)
                generations += 1
                subscription.generation = generations
                subscription.epoch = first.epoch
                subscription.delivered = first.cursors
                subscription.sequence = 0
                subscription.position = first
                subscription.backlogEnd = 0
                subscription.pendingReset = "epoch_changed"
                let wasPending = subscription.stage == .pending
                clients[clientID]?.subscriptions[id] = subscription
                if !wasPending { startCatchUp(clientID, id) }
            }
        }
    }

    /// `bridge.upstream {state}` to every client that subscribed to anything.
    public func upstreamStateChanged(_ state: UpstreamHealth.State) {
        let bytes = Array(RPCMessage.notification("bridge.upstream", ["state": .string(state.rawValue)]).encoded())
        for (clientID, client) in clients where client.wantsUpstreamState && !client.closing && !client.blocked {
            _ = client.transport.send(clientID, bytes)
        }
    }

    // MARK: Helpers

    func join(_ group: SubscriptionGroup, _ client: UInt64) {
        guard let state = clients[client], let subscription = state.subscriptions.box(group.id) else { return }
        // Whatever it was sent before going live is not to be superseded.
        subscription.value.untakenAfter = nil
        if members[group, default: [:]].updateValue(Member(id: client, client: state, subscription: subscription), forKey: client) == nil {
            count { $0.liveSubscriptions += 1 }
        }
    }

    func leave(_ group: SubscriptionGroup, _ client: UInt64) {
        if members[group]?.removeValue(forKey: client) != nil { count { $0.liveSubscriptions -= 1 } }
        if members[group]?.isEmpty == true { members[group] = nil }
    }

    func publishObjectInterest() {
        var types: Set<String> = []
        for client in clients.values {
            for subscription in client.subscriptions.values where subscription.filter.includeObjects {
                types.formUnion(subscription.filter.types ?? ["*"])
            }
        }
        objectsWanted = !types.isEmpty
        objectInterestChanged?(types)
    }

    /// The transport policy that applies to a client.
    public func policy(of client: UInt64) -> TransportPolicy? {
        clients[client]?.transport.policy
    }

    /// The transport a client is connected through.
    public func transport(of client: UInt64) -> (any ClientTransport)? {
        clients[client]?.transport
    }

    // MARK: Figures

    public nonisolated var figures: HubFigures { figureCounts.withLock { $0 } }

    func count(_ change: (inout HubFigures) -> Void) { figureCounts.withLock { change(&$0) } }

    /// Marks a client blocked (its transport holds a message it has not taken).
    func markBlocked(_ client: UInt64) {
        guard let state = clients[client], !state.blocked else { return }
        state.blocked = true
        count { $0.counted(blocked: 1, on: state.transport.name) }
    }
}
