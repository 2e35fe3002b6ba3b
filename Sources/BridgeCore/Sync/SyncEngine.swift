import Foundation
import Logging
import Synchronization

/// Applies Unicat's sync items to the mirror and the journal, in cursor order per stream,
/// exactly once. One worker applies everything, so there is never a second writer:
///
/// - items pushed by the socket feed are applied directly when they continue the stream
///   without a gap; anything else, and every safety poll, goes through `/sync/get`, the
///   authority, looping while Unicat says more is left;
/// - changed objects are refetched (batched, shared) before anything is committed, and a
///   cursor advances only in the same transaction as its effect; a failed refetch leaves
///   the cursor where it was and the work is retried with backoff;
/// - a finished `restore_project` job, or Unicat's cursors falling behind ours, starts a new
///   epoch from a full init.
public final class SyncEngine: Sendable {
    /// Awaited in order, so subscribers see batches in commit order.
    public typealias CommitHandler = @Sendable (CommittedBatch) async -> Void
    public typealias EpochHandler = @Sendable (BridgePosition, String) async -> Void

    private struct Pending {
        var pushed: [SyncItem] = []
        var catchUp = false
        var verifyCursors = false
        var reinitReason: String?
        var isEmpty: Bool { pushed.isEmpty && !catchUp && reinitReason == nil }
    }

    /// Pushed items held while the worker is busy; beyond this they are dropped and a
    /// catch-up from the stored cursors fetches them instead.
    private static let maxPendingPushed = 10_000

    private let project: String
    private let client: UpstreamClient
    private let fetcher: ObjectFetcher
    private let store: BridgeStore
    private let health: UpstreamHealth
    private let logger: Logger
    private let pending = Mutex(Pending())
    private let currentPosition: Mutex<BridgePosition?> = Mutex(nil)
    private let wake: AsyncStream<Void>
    private let wakeContinuation: AsyncStream<Void>.Continuation
    private let handlers = Mutex<(commit: [CommitHandler], epoch: [EpochHandler])>(([], []))
    /// Data types whose changed objects subscribers want delivered: their UPDATEs are
    /// refetched even when the mirror did not hold the object ("*" = every type).
    private let objectInterest = Mutex<Set<String>>([])

    public init(project: String, client: UpstreamClient, fetcher: ObjectFetcher, store: BridgeStore,
                health: UpstreamHealth, logger: Logger) {
        self.project = project
        self.client = client
        self.fetcher = fetcher
        self.store = store
        self.health = health
        self.logger = logger
        (wake, wakeContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// The position after the last committed change (nil before `prepare`).
    public var position: BridgePosition? { currentPosition.withLock { $0 } }

    public func setObjectInterest(_ types: Set<String>) { objectInterest.withLock { $0 = types } }

    /// Called after each commit with the new journal entries, in order.
    public func onCommit(_ handler: @escaping CommitHandler) { handlers.withLock { $0.commit.append(handler) } }
    /// Called when a new epoch starts, with its first position and the reason.
    public func onEpoch(_ handler: @escaping EpochHandler) { handlers.withLock { $0.epoch.append(handler) } }

    // MARK: Start-up

    /// Authenticates and decides between a warm restart (resume from the stored cursors)
    /// and a cold start (a new epoch from the init that `/auth` returns).
    public func prepare() async throws {
        let stored = try store.storedState()
        let initResponse = try await client.authenticate()
        health.httpSucceeded()
        let upstream = SyncCursors(cc: initResponse.result["cc.cursor"]?.int64Value ?? 0,
                                   project: initResponse.result["cursor"]?.int64Value ?? 0)
        if let stored, stored.project == project {
            if upstream.project < stored.position.cursors.project || upstream.cc < stored.position.cursors.cc {
                try await startEpoch(from: initResponse, reason: "Unicat's cursors (\(upstream.cc)/\(upstream.project)) are behind the stored ones (\(stored.position.cursors.cc)/\(stored.position.cursors.project))")
            } else {
                currentPosition.withLock { $0 = stored.position }
                let behind = (upstream.cc - stored.position.cursors.cc) + (upstream.project - stored.position.cursors.project)
                logger.notice("warm restart: epoch \(stored.position.epoch) at cursors cc \(stored.position.cursors.cc), project \(stored.position.cursors.project); \(behind) cursor steps to catch up")
            }
        } else {
            try await startEpoch(from: initResponse, reason: stored == nil ? "cold start" : "the stored state belongs to project \(stored?.project ?? "?")")
        }
        requestCatchUp()
    }

    // MARK: Triggers (any thread)

    /// Items from the socket feed.
    public func push(_ items: [SyncItem]) {
        guard !items.isEmpty else { return }
        pending.withLock { pending in
            if pending.pushed.count + items.count > Self.maxPendingPushed {
                pending.pushed.removeAll()
                pending.catchUp = true
            } else {
                pending.pushed.append(contentsOf: items)
            }
        }
        wakeContinuation.yield()
    }

    /// Fetch everything after the stored cursors with `/sync/get`. With `verifyCursors`,
    /// first compare with Unicat's latest cursors to detect a rewind.
    public func requestCatchUp(verifyCursors: Bool = false) {
        pending.withLock {
            $0.catchUp = true
            $0.verifyCursors = $0.verifyCursors || verifyCursors
        }
        wakeContinuation.yield()
    }

    public func requestReinit(reason: String) {
        pending.withLock { $0.reinitReason = reason }
        wakeContinuation.yield()
    }

    // MARK: The worker

    /// Applies pending work until the task is cancelled.
    public func run() async {
        var failures = 0
        for await _ in wake {
            while !Task.isCancelled {
                let work = pending.withLock { pending -> Pending in
                    let work = pending
                    pending = Pending()
                    return work
                }
                if work.isEmpty { break }
                do {
                    try await perform(work)
                    failures = 0
                } catch is CancellationError {
                    return
                } catch {
                    failures += 1
                    health.httpFailed(error)
                    // Nothing was committed for the failed step: ask for it again.
                    pending.withLock { pending in
                        pending.catchUp = true
                        pending.verifyCursors = pending.verifyCursors || work.verifyCursors
                        if pending.reinitReason == nil { pending.reinitReason = work.reinitReason }
                    }
                    let delay = RetryPolicy(baseDelay: 0.5, maxDelay: 30).delay(attempt: failures - 1)
                    logger.warning("sync step failed (\(error)); retrying in \(String(format: "%.1f", delay)) s")
                    do { try await Task.sleep(for: .seconds(delay)) } catch { return }
                }
            }
            if Task.isCancelled { return }
        }
    }

    /// Ends `run()` once the current step is done.
    public func finish() { wakeContinuation.finish() }

    private func perform(_ work: Pending) async throws {
        if let reason = work.reinitReason {
            try await reinitialize(reason: reason)
            return
        }
        var needsCatchUp = work.catchUp
        if !work.pushed.isEmpty {
            needsCatchUp = try await applyPushed(work.pushed) || needsCatchUp
        }
        if needsCatchUp {
            if work.verifyCursors, try await cursorsWentBackwards() { return }
            try await catchUp()
        }
    }

    /// Applies the gap-free continuation of the pushed items; returns true when a gap (or
    /// anything uncertain) needs a `/sync/get` catch-up.
    private func applyPushed(_ items: [SyncItem]) async throws -> Bool {
        guard var cursors = position?.cursors else { return true }
        var contiguous: [SyncItem] = []
        var gap = false
        for item in Self.ordered(items) where item.cursor > cursors[item.stream] {
            guard item.cursor == cursors[item.stream] + 1 else {
                gap = true
                continue
            }
            contiguous.append(item)
            cursors[item.stream] = item.cursor
        }
        if !contiguous.isEmpty { try await apply(contiguous) }
        health.httpSucceeded()
        return gap
    }

    /// `/sync/get` from the stored cursors until Unicat reports nothing more.
    private func catchUp() async throws {
        var applied = 0
        var pages = 0
        while true {
            guard let cursors = position?.cursors else { return }
            let response = try await client.call(.syncGet, cursors.syncRequest(project: project))
            health.httpSucceeded()
            let (items, malformed, more) = SyncItem.parseList(response.result)
            if malformed > 0 { logger.error("ignored \(malformed) malformed sync item(s) from /sync/get") }
            pages += 1
            let count = try await apply(items)
            applied += count
            if more {
                logger.info("catching up: \(applied) change(s) applied over \(pages) page(s), at cursors cc \(position?.cursors.cc ?? 0), project \(position?.cursors.project ?? 0)")
            }
            // A page that moves nothing cannot be followed by a different one: stop rather
            // than loop on the same cursors. A pending new epoch makes the rest moot.
            guard more, count > 0, pending.withLock({ $0.reinitReason == nil }) else { break }
        }
        if applied > 0 { logger.debug("caught up: \(applied) change(s) over \(pages) page(s)") }
    }

    /// Compares with Unicat's latest cursors (without adopting them: that would skip
    /// changes). Starts a new epoch and returns true when Unicat is behind us.
    private func cursorsWentBackwards() async throws -> Bool {
        guard let ours = position?.cursors else { return false }
        let latest = try await client.call(.syncCursors, ["project": .string(project)]).result
        guard let cc = latest["cc.cursor"]?.int64Value, let cursor = latest["cursor"]?.int64Value else { return false }
        guard cc < ours.cc || cursor < ours.project else { return false }
        requestReinit(reason: "Unicat's cursors (\(cc)/\(cursor)) went behind ours (\(ours.cc)/\(ours.project))")
        return true
    }

    // MARK: Applying

    /// Applies items in cursor order per stream, skipping duplicates. Returns how many were
    /// new. A finished restore job ends the batch and starts a new epoch.
    @discardableResult
    private func apply(_ items: [SyncItem]) async throws -> Int {
        guard let start = position else { return 0 }
        var cursors = start.cursors
        var accepted: [(item: SyncItem, cursors: SyncCursors)] = []
        var restored = false
        for item in Self.ordered(items) where item.cursor > cursors[item.stream] {
            cursors[item.stream] = item.cursor
            accepted.append((item, cursors))
            if item.isRestoreDone(project: project) {
                restored = true
                break
            }
        }
        guard !accepted.isEmpty else { return 0 }

        let fetched = try await refetch(accepted.map(\.item))
        var changes = StoreChanges()
        for (item, after) in accepted {
            let key = MirrorKey(item.dataType, item.dataKey)
            switch fetched.rules[item] ?? .ignore {
            case .fetch:
                if let object = fetched.objects[key] ?? nil { changes.upsert(key, object) } else { changes.delete(key) }
            case .remove:
                changes.delete(key)
            case .ignore:
                break
            }
            if item.dataType == "cc.version" { changes.ccVersion = item.dataKey }
            changes.entries.append((item, after))
        }
        let entries = try store.commit(changes, epoch: start.epoch)
        currentPosition.withLock { $0 = BridgePosition(epoch: start.epoch, cursors: cursors) }
        var objects: [MirrorKey: ObjectState] = [:]
        for (key, object) in changes.upserts { objects[key] = .present(object) }
        for key in changes.deletions { objects[key] = .gone }
        let batch = CommittedBatch(entries: entries, objects: objects)
        for handler in handlers.withLock({ $0.commit }) { await handler(batch) }
        // Queued rather than run here, so a failing re-init is retried until it succeeds.
        if restored { requestReinit(reason: "restore_project job finished") }
        return accepted.count
    }

    /// Decides each item's rule and fetches what must be fetched, one batch per data type.
    private func refetch(_ items: [SyncItem]) async throws -> (rules: [SyncItem: RefetchRule], objects: [MirrorKey: JSONValue?]) {
        var held: [String: Set<String>] = [:]
        for (dataType, group) in Dictionary(grouping: items.filter { $0.action != "DELETE" }, by: \.dataType) {
            held[dataType] = try store.heldKeys(dataType, among: group.map(\.dataKey))
        }
        var rules: [SyncItem: RefetchRule] = [:]
        var wanted: [String: [String]] = [:]
        let interest = objectInterest.withLock { $0 }
        for item in items {
            let wantedBySubscribers = interest.contains("*") || interest.contains(item.dataType)
            let isHeld = held[item.dataType]?.contains(item.dataKey) ?? false
            let rule = RefetchRule.rule(for: item, held: isHeld || wantedBySubscribers, project: project)
            rules[item] = rule
            if rule == .fetch { wanted[item.dataType, default: []].append(item.dataKey) }
        }
        var objects: [MirrorKey: JSONValue?] = [:]
        try await withThrowingTaskGroup(of: (String, ObjectFetcher.Batch).self) { group in
            for (dataType, keys) in wanted {
                group.addTask { (dataType, try await self.fetcher.fetch(dataType, keys: keys)) }
            }
            for try await (dataType, batch) in group {
                for (key, outcome) in batch {
                    switch outcome {
                    case .present(let object): objects[MirrorKey(dataType, key)] = object
                    case .gone: objects[MirrorKey(dataType, key)] = .some(nil)
                    case .failed(let error): throw error
                    }
                }
            }
        }
        return (rules, objects)
    }

    // MARK: Epochs

    private func reinitialize(reason: String) async throws {
        logger.warning("starting a new epoch: \(reason)")
        let response = try await client.projectInit()
        try await startEpoch(from: response, reason: reason)
        health.httpSucceeded()
        requestCatchUp()
    }

    private func startEpoch(from initResponse: UnicatResponse, reason: String) async throws {
        let epoch = Self.mintEpoch()
        let first = try store.startEpoch(epoch, project: project, initResponse: initResponse)
        currentPosition.withLock { $0 = first }
        logger.notice("epoch \(epoch) started (\(reason)) at cursors cc \(first.cursors.cc), project \(first.cursors.project)")
        for handler in handlers.withLock({ $0.epoch }) { await handler(first, reason) }
    }

    static func mintEpoch() -> String {
        let seconds = UInt64(Date().timeIntervalSince1970)
        return String(seconds, radix: 36) + "-" + String(UInt32.random(in: 0...UInt32.max), radix: 36)
    }

    /// Items sorted by cursor within each stream, keeping each stream's slots in the list
    /// (the streams are independent; their interleaving is kept).
    static func ordered(_ items: [SyncItem]) -> [SyncItem] {
        var result = items
        for stream in [SyncItem.Stream.cc, .project] {
            let slots = items.indices.filter { items[$0].stream == stream }
            let sorted = slots.map { items[$0] }.sorted { $0.cursor < $1.cursor }
            for (slot, item) in zip(slots, sorted) { result[slot] = item }
        }
        return result
    }
}
