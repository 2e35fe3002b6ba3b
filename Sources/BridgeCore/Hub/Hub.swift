import Foundation
import Logging

/// Subscriptions and fan-out. Every committed change is encoded once per distinct filter
/// and the same bytes go to every live subscriber of that filter (`sendMany`). A
/// subscription resuming from a position first replays the journal (or, older than the
/// journal, a range refilled from Unicat once for everyone waiting on it), then turns live
/// exactly at the journal's end, so nothing is sent twice or skipped.
///
/// Slow consumers: when a transport's queue for a client is full, `latest_only`
/// subscriptions coalesce by key until the client drains; anything else gets
/// `sync.reset {slow_consumer}` with its last delivered position and is disconnected.
public actor Hub {
    struct Subscription {
        let id: String
        let filter: SubscriptionFilter
        /// Last journal sequence handed to the transport for this subscription.
        var lastSequence: Int64
        var lastPosition: BridgePosition
        var live: Bool
    }

    struct Client {
        let id: UInt64
        let transport: any ClientTransport
        var subscriptions: [String: Subscription] = [:]
        /// latest_only changes held while the transport's queue is full, by subscription.
        var coalesced: [String: [MirrorKey: (entry: JournalEntry, object: JSONValue??)]] = [:]
        var blocked = false
        var closing = false
        var wantsUpstreamState = false
    }

    /// Coalesced keys per client beyond which even a latest_only subscriber is reset.
    static let maxCoalescedKeys = 50_000
    static let replayPageSize = 500

    private let store: BridgeStore
    private let refiller: RangeRefiller
    private let fetcher: ObjectFetcher
    private let logger: Logger
    private var clients: [UInt64: Client] = [:]
    /// Live members per subscription id.
    private var members: [String: Set<UInt64>] = [:]
    private var lastSequence: Int64 = 0
    private var position: BridgePosition?
    private var objectInterestChanged: (@Sendable (Set<String>) -> Void)?
    /// Encoded replay notifications: subscribers resuming from the same position with the
    /// same filter get the same pages, so a resume storm encodes each page once.
    private var replayPages = ReplayPageCache(capacity: 64)
    private(set) var counters = HubCounters()

    public init(store: BridgeStore, refiller: RangeRefiller, fetcher: ObjectFetcher, logger: Logger) {
        self.store = store
        self.refiller = refiller
        self.fetcher = fetcher
        self.logger = logger
    }

    /// Starts the hub at the engine's current position.
    public func start(at position: BridgePosition?, onObjectInterest: @escaping @Sendable (Set<String>) -> Void) throws {
        self.position = position
        lastSequence = try store.journalWindow().last
        objectInterestChanged = onObjectInterest
    }

    // MARK: Clients

    public func register(_ client: UInt64, transport: any ClientTransport) {
        clients[client] = Client(id: client, transport: transport)
        counters.clientsOpened += 1
    }

    public func unregister(_ client: UInt64) {
        guard let removed = clients.removeValue(forKey: client) else { return }
        for id in removed.subscriptions.keys { leave(id, client) }
        if removed.subscriptions.values.contains(where: \.filter.includeObjects) { publishObjectInterest() }
    }

    public func clientWritable(_ client: UInt64) {
        guard var state = clients[client] else { return }
        state.blocked = false
        clients[client] = state
        flushCoalesced(client)
    }

    public var currentPosition: BridgePosition? { position }

    // MARK: Subscribing

    public struct Subscribed: Sendable {
        public let subscription: String
        public let position: BridgePosition
        public let recovered: Bool
    }

    /// Adds (or re-arms) a subscription. Without `since` it is live at once; with it, the
    /// caller must call `resume` after sending the response.
    public func subscribe(_ client: UInt64, filter: SubscriptionFilter, since: BridgePosition?) throws(RPCError) -> Subscribed {
        guard var state = clients[client] else { throw .internalError("unknown client") }
        guard let current = position else { throw .upstreamUnavailable("the bridge has no data yet") }
        let id = filter.subscriptionID
        if state.subscriptions[id] == nil, state.subscriptions.count >= state.transport.policy.maxSubscriptionsPerClient {
            throw .tooManySubscriptions(state.transport.policy.maxSubscriptionsPerClient)
        }
        leave(id, client)
        var subscription = Subscription(id: id, filter: filter, lastSequence: lastSequence, lastPosition: current, live: true)
        var recovered = false
        var answerPosition = current
        if let since, since != current {
            guard since.epoch == current.epoch else {
                // Continuity is lost: the subscriber must reload; it is live from now on.
                state.subscriptions[id] = subscription
                state.wantsUpstreamState = true
                clients[client] = state
                join(id, client)
                _ = deliver(client, ChangeNotification.reset(subscription: id, reason: "epoch_changed", position: current))
                return Subscribed(subscription: id, position: current, recovered: false)
            }
            guard since.cursors.cc <= current.cursors.cc, since.cursors.project <= current.cursors.project else {
                throw .positionOutOfRange("\(since.json.encodedString()) is ahead of the bridge (\(current.json.encodedString()))")
            }
            subscription.live = false
            subscription.lastSequence = -1  // set by resume
            subscription.lastPosition = since
            recovered = true
            answerPosition = since
        }
        state.subscriptions[id] = subscription
        state.wantsUpstreamState = true
        clients[client] = state
        if subscription.live { join(id, client) }
        if filter.includeObjects { publishObjectInterest() }
        return Subscribed(subscription: id, position: answerPosition, recovered: recovered)
    }

    public func unsubscribe(_ client: UInt64, _ id: String) throws(RPCError) {
        guard var state = clients[client], let removed = state.subscriptions.removeValue(forKey: id) else {
            throw .unknownSubscription(id)
        }
        state.coalesced[id] = nil
        clients[client] = state
        leave(id, client)
        if removed.filter.includeObjects { publishObjectInterest() }
    }

    /// Brings a resuming subscription up to date, then makes it live.
    public func resume(_ client: UInt64, _ id: String) async {
        guard let subscription = clients[client]?.subscriptions[id], !subscription.live else { return }
        let since = subscription.lastPosition
        do {
            var sequence: Int64
            if let floor = try store.journalFloor(), since.cursors.cc < floor.cursors.cc || since.cursors.project < floor.cursors.project {
                // Older than the journal: fetch the missing range from Unicat (shared).
                let items = try await refiller.items(from: since.cursors, to: floor.cursors, epoch: since.epoch)
                guard clients[client]?.subscriptions[id] != nil else { return }
                let entries = items.map { JournalEntry(sequence: 0, item: $0.item, position: BridgePosition(epoch: since.epoch, cursors: $0.cursors), committedAt: 0) }
                let objects = try await currentObjects(for: entries, subscription: id, client: client)
                guard send(entries, objects: objects, to: client, subscription: id, recovered: true) else { return }
                sequence = 0
            } else {
                sequence = try store.sequence(atOrBefore: since)
            }
            try await replayJournal(client, id, after: sequence)
        } catch {
            logger.warning("cannot resume subscription \(id) from \(since.json.encodedString()): \(error)")
            _ = deliver(client, ChangeNotification.reset(subscription: id, reason: "resnapshot_required", position: position))
            makeLive(client, id)
        }
    }

    /// Replays the journal page by page, then turns the subscription live. The last read
    /// (empty: nothing published is left) and turning live happen with no suspension in
    /// between, so a batch published meanwhile is neither missed nor sent twice.
    private func replayJournal(_ client: UInt64, _ id: String, after start: Int64) async throws {
        var sequence = start
        while true {
            guard clients[client]?.subscriptions[id] != nil else { return }
            // Only up to what has been published: later entries reach it live.
            let entries = try store.journal(after: sequence, limit: Self.replayPageSize).filter { $0.sequence <= lastSequence }
            if entries.isEmpty {
                makeLive(client, id)
                return
            }
            // Pruned while this subscriber was replaying: the entries it needed are gone.
            if sequence > 0, entries[0].sequence != sequence + 1 {
                throw StoreError(message: "the journal moved past sequence \(sequence) during the replay")
            }
            let objects = try await currentObjects(for: entries, subscription: id, client: client)
            guard send(entries, objects: objects, to: client, subscription: id, recovered: true) else { return }
            sequence = entries[entries.count - 1].sequence
            // A long replay must not hold up live fan-out to everyone else.
            await Task.yield()
        }
    }

    private func makeLive(_ client: UInt64, _ id: String) {
        guard var state = clients[client], var subscription = state.subscriptions[id] else { return }
        subscription.live = true
        subscription.lastSequence = lastSequence
        state.subscriptions[id] = subscription
        clients[client] = state
        join(id, client)
    }

    // MARK: Publishing

    /// Fans a committed batch out to every live subscription it matches.
    public func publish(_ committed: CommittedBatch) {
        guard let last = committed.entries.last else { return }
        let batch = (entries: committed.entries, objects: committed.objects.mapValues { state -> JSONValue? in
            if case .present(let object) = state { return object }
            return nil
        })
        position = last.position
        lastSequence = last.sequence
        for (id, clientIDs) in members where !clientIDs.isEmpty {
            guard let first = clientIDs.first, let filter = clients[first]?.subscriptions[id]?.filter else { continue }
            let matching = batch.entries.filter { filter.matches($0.item) }
            let items = matching.map { entry in
                ChangeNotification.itemJSON(entry, object: filter.includeObjects ? .some(batch.objects[MirrorKey(entry.item.dataType, entry.item.dataKey)] ?? nil) : nil)
            }
            var targets: [UInt64] = []
            var overflowing: [UInt64] = []
            for clientID in clientIDs {
                guard var state = clients[clientID], var subscription = state.subscriptions[id], !state.closing else { continue }
                subscription.lastSequence = last.sequence
                if matching.isEmpty {
                    subscription.lastPosition = last.position
                } else if state.blocked {
                    // The transport's queue is still full: latest_only waits coalesced, anything
                    // else cannot be held back without loss.
                    if filter.latestOnly { coalesce(&state, id, matching, batch.objects) } else { overflowing.append(clientID) }
                } else {
                    targets.append(clientID)
                }
                state.subscriptions[id] = subscription
                clients[clientID] = state
            }
            for clientID in overflowing { dropSlowConsumer(clientID, subscription: id) }
            guard !targets.isEmpty else { continue }
            let bytes = ChangeNotification.changes(subscription: id, items: items, position: last.position)
            counters.notificationsEncoded += 1
            for (transport, group) in groupByTransport(targets) {
                let statuses = transport.sendMany(group, bytes)
                counters.messagesSent += group.count
                counters.bytesSent += group.count * bytes.count
                for (clientID, status) in zip(group, statuses) {
                    if status == .ok {
                        clients[clientID]?.subscriptions[id]?.lastPosition = last.position
                    } else {
                        handleRefusal(clientID, id, status, pending: matching, objects: batch.objects)
                    }
                }
            }
        }
    }

    /// A new epoch: every subscription is told to reload and continues from its start.
    public func epochStarted(_ first: BridgePosition, reason: String) {
        position = first
        lastSequence = 0
        for (clientID, state) in clients {
            for id in state.subscriptions.keys {
                _ = deliver(clientID, ChangeNotification.reset(subscription: id, reason: "epoch_changed", position: first))
            }
            guard var updated = clients[clientID] else { continue }
            for (id, var subscription) in updated.subscriptions {
                subscription.lastSequence = 0
                subscription.lastPosition = first
                subscription.live = true
                updated.subscriptions[id] = subscription
                join(id, clientID)
            }
            updated.coalesced.removeAll()
            clients[clientID] = updated
        }
    }

    /// `bridge.upstream {state}` to every client that subscribed to anything.
    public func upstreamStateChanged(_ state: UpstreamHealth.State) {
        let bytes = Array(RPCMessage.notification("bridge.upstream", ["state": .string(state.rawValue)]).encoded())
        for (clientID, client) in clients where client.wantsUpstreamState && !client.closing {
            _ = client.transport.send(clientID, bytes)
        }
    }

    // MARK: Delivery

    /// Sends entries (already filtered or not) for one subscription to one client;
    /// returns false when the client was dropped as a slow consumer.
    private func send(_ entries: [JournalEntry], objects: [MirrorKey: JSONValue?], to client: UInt64, subscription id: String,
                      recovered: Bool) -> Bool {
        guard let state = clients[client], let subscription = state.subscriptions[id], let last = entries.last else { return true }
        let matching = entries.filter { subscription.filter.matches($0.item) }
        if !matching.isEmpty {
            let encode = {
                let items = matching.map { entry in
                    ChangeNotification.itemJSON(entry, object: subscription.filter.includeObjects ? .some(objects[MirrorKey(entry.item.dataType, entry.item.dataKey)] ?? nil) : nil)
                }
                return ChangeNotification.changes(subscription: id, items: items, position: last.position, recovered: recovered)
            }
            // Journal pages (sequence > 0) are shared; refilled ranges and coalesced
            // changes are one subscriber's own.
            let bytes = recovered && entries[0].sequence > 0
                ? replayPages.bytes(for: "\(last.position.epoch) \(id) \(entries[0].sequence)-\(last.sequence)", encode)
                : encode()
            let status = state.transport.send(client, bytes)
            if status != .ok {
                handleRefusal(client, id, status, pending: matching, objects: objects)
                return clients[client]?.closing == false
            }
        }
        if var updated = clients[client], var current = updated.subscriptions[id] {
            current.lastPosition = last.position
            if last.sequence > 0 { current.lastSequence = last.sequence }
            updated.subscriptions[id] = current
            clients[client] = updated
        }
        return true
    }

    private func deliver(_ client: UInt64, _ bytes: [UInt8]) -> SendStatus {
        guard let state = clients[client] else { return .unknownClient }
        let status = state.transport.send(client, bytes)
        if status == .queueFull {
            dropSlowConsumer(client, subscription: state.subscriptions.keys.first)
        }
        return status
    }

    private func handleRefusal(_ client: UInt64, _ id: String, _ status: SendStatus, pending: [JournalEntry], objects: [MirrorKey: JSONValue?]) {
        switch status {
        case .queueFull:
            guard var state = clients[client], let subscription = state.subscriptions[id] else { return }
            if subscription.filter.latestOnly {
                state.blocked = true
                coalesce(&state, id, pending, objects)
                clients[client] = state
            } else {
                dropSlowConsumer(client, subscription: id)
            }
        case .unknownClient, .stopped:
            unregister(client)
        case .ok:
            break
        }
    }

    private func coalesce(_ state: inout Client, _ id: String, _ entries: [JournalEntry], _ objects: [MirrorKey: JSONValue?]) {
        var held = state.coalesced[id] ?? [:]
        for entry in entries {
            let key = MirrorKey(entry.item.dataType, entry.item.dataKey)
            held[key] = (entry, objects[key])
        }
        state.coalesced[id] = held
        counters.coalesced += entries.count
        if state.coalesced.values.reduce(0, { $0 + $1.count }) > Self.maxCoalescedKeys {
            clients[state.id] = state
            dropSlowConsumer(state.id, subscription: id)
            state = clients[state.id] ?? state
        }
    }

    private func flushCoalesced(_ client: UInt64) {
        guard var state = clients[client], !state.coalesced.isEmpty else { return }
        let pending = state.coalesced
        state.coalesced.removeAll()
        clients[client] = state
        for (id, held) in pending {
            let entries = held.values.map(\.entry).sorted { $0.sequence < $1.sequence }
            var objects: [MirrorKey: JSONValue?] = [:]
            for (key, value) in held { if let object = value.object { objects[key] = object } }
            guard send(entries, objects: objects, to: client, subscription: id, recovered: false) else { return }
        }
    }

    /// Disconnects a client whose queue overflowed, telling it where it got to.
    private func dropSlowConsumer(_ client: UInt64, subscription id: String?) {
        guard var state = clients[client], !state.closing else { return }
        state.closing = true
        clients[client] = state
        for subscriptionID in state.subscriptions.keys { leave(subscriptionID, client) }
        counters.slowConsumersDropped += 1
        let subscription = id.flatMap { state.subscriptions[$0] }
        let final = ChangeNotification.reset(subscription: subscription?.id ?? "", reason: "slow_consumer",
                                             position: subscription?.lastPosition ?? position)
        logger.notice("client \(client) on \(state.transport.name) is not reading: disconnected as a slow consumer")
        state.transport.close(client, final: final, code: state.transport.policy.slowConsumerCloseCode, reason: "slow consumer")
    }

    // MARK: Helpers

    private func join(_ id: String, _ client: UInt64) { members[id, default: []].insert(client) }

    private func leave(_ id: String, _ client: UInt64) {
        members[id]?.remove(client)
        if members[id]?.isEmpty == true { members[id] = nil }
    }

    private func groupByTransport(_ clientIDs: [UInt64]) -> [(any ClientTransport, [UInt64])] {
        var groups: [ObjectIdentifier: (any ClientTransport, [UInt64])] = [:]
        for clientID in clientIDs {
            guard let transport = clients[clientID]?.transport else { continue }
            groups[ObjectIdentifier(transport), default: (transport, [])].1.append(clientID)
        }
        return Array(groups.values)
    }

    /// The current state of the objects `entries` changed, for a subscription that wants
    /// them: from the mirror, else fetched from Unicat (shared, batched); nil = gone.
    private func currentObjects(for entries: [JournalEntry], subscription id: String, client: UInt64) async throws -> [MirrorKey: JSONValue?] {
        guard let filter = clients[client]?.subscriptions[id]?.filter, filter.includeObjects else { return [:] }
        var objects: [MirrorKey: JSONValue?] = [:]
        let wanted = entries.map(\.item).filter { filter.matches($0) && $0.action != "DELETE" }
        for (dataType, group) in Dictionary(grouping: wanted, by: \.dataType) {
            let keys = Array(Set(group.map(\.dataKey)))
            let held = try store.objects(dataType, keys: keys)
            for (key, object) in held { objects[MirrorKey(dataType, key)] = object }
            let absent = keys.filter { held[$0] == nil }
            guard !absent.isEmpty, ObjectFetcher.canFetch(dataType) else { continue }
            for (key, outcome) in try await fetcher.fetch(dataType, keys: absent) {
                switch outcome {
                case .present(let object): objects[MirrorKey(dataType, key)] = object
                case .gone: objects[MirrorKey(dataType, key)] = .some(nil)
                case .failed(let error): throw error
                }
            }
        }
        return objects
    }

    private func publishObjectInterest() {
        var types: Set<String> = []
        for client in clients.values {
            for subscription in client.subscriptions.values where subscription.filter.includeObjects {
                types.formUnion(subscription.filter.types ?? ["*"])
            }
        }
        objectInterestChanged?(types)
    }

    // MARK: Figures

    public struct Figures: Sendable {
        public var clients: Int
        public var subscriptions: Int
        public var liveSubscriptions: Int
        public var blockedClients: Int
        public var coalescedChanges: Int
        public var counters: HubCounters
    }

    public var figures: Figures {
        Figures(
            clients: clients.count,
            subscriptions: clients.values.reduce(0) { $0 + $1.subscriptions.count },
            liveSubscriptions: clients.values.reduce(0) { $0 + $1.subscriptions.values.filter(\.live).count },
            blockedClients: clients.values.filter(\.blocked).count,
            coalescedChanges: clients.values.reduce(0) { $0 + $1.coalesced.values.reduce(0) { $0 + $1.count } },
            counters: counters)
    }
}

public struct HubCounters: Sendable {
    public var clientsOpened = 0
    public var notificationsEncoded = 0
    public var messagesSent = 0
    public var bytesSent = 0
    public var coalesced = 0
    public var slowConsumersDropped = 0
}

extension Hub {
    /// The transport policy that applies to a client.
    public func policy(of client: UInt64) -> TransportPolicy? {
        clients[client]?.transport.policy
    }
}

extension Hub {
    /// The transport a client is connected through.
    public func transport(of client: UInt64) -> (any ClientTransport)? {
        clients[client]?.transport
    }
}
