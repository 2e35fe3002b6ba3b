import BridgeCore
import BridgePluginKit
import BridgeTestSupport
import Foundation
import Logging

/// A hub over a real store in a temporary directory, fed by committing sync items the way
/// the sync engine does, with clients on a `RecordingTransport` and Unicat played by a
/// `ScriptedUpstream` (whose log the changes are appended to, so refills see them too).
public final class HubFixture: Sendable {
    public let store: BridgeStore
    public let hub: Hub
    public let transport: RecordingTransport
    public let upstream: ScriptedUpstream
    public var project: String { upstream.project }
    private let directory: TemporaryDirectory
    private let state: Locked<(cursors: SyncCursors, epoch: String, nextClient: UInt64)>

    public init(journalSize: Int = 1_000, upstream: ScriptedUpstream = ScriptedUpstream(),
                transport: RecordingTransport = RecordingTransport(), epoch: String = "epoch-1") async throws {
        directory = try TemporaryDirectory(prefix: "hub-fixture")
        store = try BridgeStore(directory: directory.path, journalLimit: journalSize)
        var logger = Logger(label: "hub-fixture")
        logger.logLevel = .critical
        let client = upstream.client(logger: logger)
        self.upstream = upstream
        hub = Hub(store: store, syncLog: SyncLogPages(upstream: UnicatUpstream(client: client)),
                  fetcher: ObjectFetcher(upstream: UnicatUpstream(client: client)), logger: logger)
        self.transport = transport
        let first = try store.startEpoch(epoch, project: upstream.project, initResponse: UnicatResponse(
            result: ["cc.cursor": 0, "cursor": 0, "project": .string(upstream.project)], data: [:]))
        state = Locked((first.cursors, epoch, 1))
        try await hub.start(at: first) { _ in }
    }

    deinit { directory.remove() }

    public var cursors: SyncCursors { state.withLock { $0.cursors } }

    /// Records `keys` changed at Unicat, then committed as one batch (`objects`: what the
    /// engine fetched for it).
    @discardableResult
    public func change(_ keys: [String], action: String = "UPDATE", objects: [String: ObjectState] = [:],
                       publish: Bool = true) async throws -> [JournalEntry] {
        let items = keys.map { key in
            action == "DELETE" ? upstream.delete("records", key) : upstream.update("records", key, ScriptedUpstream.record(key, title: key))
        }
        return try await commit(items, objects: Dictionary(uniqueKeysWithValues: objects.map { (MirrorKey("records", $0.key), $0.value) }),
                                publish: publish)
    }

    /// Commits `items` (and the objects given as present into the mirror) as the engine
    /// does, then publishes them unless told not to.
    @discardableResult
    public func commit(_ items: [SyncItem], objects: [MirrorKey: ObjectState] = [:], publish: Bool = true) async throws -> [JournalEntry] {
        var changes = StoreChanges()
        var cursors = self.cursors
        for item in items {
            cursors[item.stream] = item.cursor
            changes.entries.append((item, cursors))
        }
        for (key, state) in objects {
            switch state {
            case .present(let object): changes.upsert(key, object)
            case .gone: changes.delete(key)
            case .failed: break
            }
        }
        let epoch = state.withLock { $0.epoch }
        let entries = try store.commit(changes, epoch: epoch)
        state.withLock { $0.cursors = cursors }
        if publish { await hub.publish(CommittedBatch(entries: entries, objects: objects)) }
        return entries
    }

    /// A new epoch, as a restore starts one.
    public func startEpoch(_ epoch: String) async throws -> BridgePosition {
        let cursors = self.cursors
        let first = try store.startEpoch(epoch, project: project, initResponse: UnicatResponse(
            result: ["cc.cursor": .int(cursors.cc), "cursor": .int(cursors.project)], data: [:]))
        state.withLock { $0.epoch = epoch }
        await hub.epochStarted(first, reason: "test")
        return first
    }

    public func connect() async -> UInt64 {
        let client = state.withLock { state -> UInt64 in
            defer { state.nextClient += 1 }
            return state.nextClient
        }
        await hub.register(client, transport: transport)
        return client
    }

    /// `sync.subscribe` as the protocol runs it: the response (recorded here as a message
    /// `{"response": ...}`, the way a transport would carry it first), then activation.
    public func subscribe(_ client: UInt64, _ filter: SubscriptionFilter = SubscriptionFilter(),
                          since: BridgePosition? = nil) async throws -> Hub.Subscribed {
        let subscribed = try await hub.subscribe(client, filter: filter, since: since)
        _ = transport.send(client, Array(JSONValue.object([
            "response": ["subscription": .string(subscribed.subscription), "position": subscribed.position.json],
        ]).encoded()))
        await hub.activate(client, subscribed.subscription, generation: subscribed.generation)
        return subscribed
    }

    /// Every `sync.changes` item the client got for `subscription`, in order.
    public func items(_ client: UInt64, _ subscription: String) -> [JSONValue] {
        transport.messages(client).filter { $0["method"] == "sync.changes" && $0["params"]?["subscription"]?.stringValue == subscription }
            .flatMap { $0["params"]?["items"]?.arrayValue ?? [] }
    }

    /// The project cursors of those items.
    public func cursors(_ client: UInt64, _ subscription: String) -> [Int64] {
        items(client, subscription).compactMap { $0["cursor"]?.int64Value }
    }

    /// Waits until the client's subscription has received items up to `cursor`.
    public func waitFor(_ client: UInt64, _ subscription: String, through cursor: Int64) async throws {
        try await eventually("client \(client) receiving \(subscription) through cursor \(cursor)") {
            (self.cursors(client, subscription).last ?? 0) >= cursor
        }
    }

    /// Waits until no subscription is catching up.
    public func settle() async throws {
        try await eventually("every subscription live") {
            let figures = self.hub.figures
            return figures.liveSubscriptions == figures.subscriptions
        }
    }
}

