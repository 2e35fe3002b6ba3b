import Foundation
import Logging
import Synchronization
import Locking

/// Applies the upstream's changes to the mirror and the journal, in cursor order per
/// stream, exactly once. One worker applies everything, so there is never a second writer:
///
/// - items pushed by the socket feed are applied directly when they continue the stream
///   without a gap; anything else, and every safety poll, goes through the upstream's
///   `changes(after:)` (Unicat: `/sync/get`), the authority, looping while more is left;
/// - changed objects are refetched (batched, shared, never joining a fetch that started
///   before the change was seen) before anything is committed, and a cursor advances only
///   in the same transaction as its effect; keys whose refetch keeps failing are retried a
///   bounded number of times, then committed without their object (the mirror's copy
///   removed, the journal entry carrying the error) so one refused object cannot stop the
///   rest;
/// - a change to what the snapshot's `result` reports (Unicat: a backup, a membership)
///   refreshes it with one snapshot, committed with the change;
/// - a change the upstream says ends continuity (Unicat: a finished `restore_project`
///   job), or the upstream's cursors falling behind ours, starts a new epoch from a full
///   snapshot, named as the upstream says (`EpochBasis`).
public final class SyncEngine: Sendable {
    /// Awaited in order, so subscribers see batches in commit order.
    public typealias CommitHandler = @Sendable (CommittedBatch) async -> Void
    public typealias EpochHandler = @Sendable (BridgePosition, String) async -> Void

    private struct Pending {
        var pushed: [SyncItem] = []
        var catchUp = false
        var verifyCursors = false
        var newEpoch: NewEpoch?
        var isEmpty: Bool { pushed.isEmpty && !catchUp && newEpoch == nil }
    }

    private struct NewEpoch {
        var reason: String
        var basis: EpochBasis
    }

    /// What the worker knows of the current epoch beyond its position.
    private struct EpochContext {
        var restoreCursor: Int64
        /// The stored init `result`: whose user and members decide which changes refresh it.
        var initResult: JSONValue
    }

    /// Pushed items held while the worker is busy; beyond this they are dropped and a
    /// catch-up from the stored cursors fetches them instead.
    private static let maxPendingPushed = 10_000
    /// The end of the journal an upstream may look at to continue the stored epoch (Zou
    /// finds there the event log rows it already relayed).
    private static let recentEntriesForUpstream: Int64 = 1_000

    private let project: String
    private let upstream: any Upstream
    private let fetcher: ObjectFetcher
    private let store: BridgeStore
    private let health: UpstreamHealth
    private let logger: Logger
    private let refetchRetry: RetryPolicy
    private let pending = Locked(Pending())
    private let currentPosition: Locked<BridgePosition?> = Locked(nil)
    private let context: Locked<EpochContext?> = Locked(nil)
    private let failedObjects = Locked(0)
    private let wake: AsyncStream<Void>
    private let wakeContinuation: AsyncStream<Void>.Continuation
    private let handlers = Locked<(commit: [CommitHandler], epoch: [EpochHandler])>(([], []))
    /// Data types whose changed objects subscribers want delivered: their UPDATEs are
    /// refetched even when the mirror did not hold the object ("*" = every type).
    private let objectInterest = Locked<Set<String>>([])

    /// `refetchRetry`: how often, and how far apart, a step whose objects could not all be
    /// fetched is tried before it is committed without them.
    public init(project: String, upstream: any Upstream, fetcher: ObjectFetcher, store: BridgeStore,
                health: UpstreamHealth, logger: Logger,
                refetchRetry: RetryPolicy = RetryPolicy(maxAttempts: 5, baseDelay: 0.5, maxDelay: 30)) {
        self.project = project
        self.upstream = upstream
        self.fetcher = fetcher
        self.store = store
        self.health = health
        self.logger = logger
        self.refetchRetry = refetchRetry
        (wake, wakeContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// The position after the last committed change (nil before `prepare`).
    public var position: BridgePosition? { currentPosition.withLock { $0 } }

    /// Changed objects committed without their state because their refetch kept failing.
    public var objectFetchFailures: Int { failedObjects.withLock { $0 } }

    public func setObjectInterest(_ types: Set<String>) { objectInterest.withLock { $0 = types } }

    /// Called after each commit with the new journal entries, in order.
    public func onCommit(_ handler: @escaping CommitHandler) { handlers.withLock { $0.commit.append(handler) } }
    /// Called when a new epoch starts, with its first position and the reason.
    public func onEpoch(_ handler: @escaping EpochHandler) { handlers.withLock { $0.epoch.append(handler) } }

    // MARK: Start-up

    /// Logs in and decides between a warm restart (resume from the stored position) and a
    /// new epoch from the session's first snapshot, as the upstream says.
    public func prepare() async throws {
        let stored = try store.storedState()
        let snapshot = try await upstream.openSession()
        health.httpSucceeded()
        let theirs = SyncCursors(of: snapshot)
        let last = try store.journalBounds().last
        let recent = stored == nil ? [] : try store.journal(after: max(0, last - Self.recentEntriesForUpstream))
        if let basis = try await upstream.epochBasis(continuing: stored, recent: recent, at: snapshot) {
            let reason: String
            if let stored, stored.project == project {
                let ours = stored.position.cursors
                reason = basis.origin != nil ? "the stored epoch cannot be continued from what the upstream keeps"
                    : "the upstream's cursors (\(theirs.cc)/\(theirs.project)) are behind the stored ones (\(ours.cc)/\(ours.project))"
            } else {
                reason = stored == nil ? "cold start" : "the stored state belongs to project \(stored?.project ?? "?")"
            }
            try await startEpoch(from: snapshot, basis: basis, reason: reason)
        } else if let stored {
            let ours = stored.position.cursors
            currentPosition.withLock { $0 = stored.position }
            context.withLock { $0 = EpochContext(restoreCursor: stored.restoreCursor ?? 0, initResult: stored.initResult) }
            // An upstream without cursors of its own (Zou) cannot tell how far behind it is.
            let behind = (theirs.cc - ours.cc) + (theirs.project - ours.project)
            logger.notice("warm restart: epoch \(stored.position.epoch) at cursors cc \(ours.cc), project \(ours.project)\(behind >= 0 ? "; \(behind) cursor steps to catch up" : "")")
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
    /// first compare with the upstream's latest cursors to detect a rewind.
    public func requestCatchUp(verifyCursors: Bool = false) {
        pending.withLock {
            $0.catchUp = true
            $0.verifyCursors = $0.verifyCursors || verifyCursors
        }
        wakeContinuation.yield()
    }

    /// Starts a new epoch from a fresh snapshot: the upstream lost continuity in a way only
    /// it can tell (e.g. a feed drop that nothing can recover).
    public func requestNewEpoch(reason: String, basis: EpochBasis) {
        requestNewEpoch(NewEpoch(reason: reason, basis: basis))
    }

    private func requestNewEpoch(_ newEpoch: NewEpoch) {
        pending.withLock { $0.newEpoch = newEpoch }
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
                        if pending.newEpoch == nil { pending.newEpoch = work.newEpoch }
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
        if let newEpoch = work.newEpoch {
            try await reinitialize(newEpoch)
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

    /// The upstream's changes after the stored cursors until it reports nothing more.
    private func catchUp() async throws {
        var applied = 0
        var pages = 0
        while true {
            guard let cursors = position?.cursors else { return }
            let (items, more) = try await upstream.changes(after: cursors)
            health.httpSucceeded()
            pages += 1
            let count = try await apply(items)
            applied += count
            if more {
                logger.info("catching up: \(applied) change(s) applied over \(pages) page(s), at cursors cc \(position?.cursors.cc ?? 0), project \(position?.cursors.project ?? 0)")
            }
            // A page that moves nothing cannot be followed by a different one: stop rather
            // than loop on the same cursors. A pending new epoch makes the rest moot.
            guard more, count > 0, pending.withLock({ $0.newEpoch == nil }) else { break }
        }
        if applied > 0 { logger.debug("caught up: \(applied) change(s) over \(pages) page(s)") }
    }

    /// Compares with the upstream's latest cursors (without adopting them: that would skip
    /// changes). Starts a new epoch and returns true when the upstream is behind us.
    private func cursorsWentBackwards() async throws -> Bool {
        guard let ours = position?.cursors, let theirs = try await upstream.latestCursors() else { return false }
        guard theirs.cc < ours.cc || theirs.project < ours.project else { return false }
        let basis = try await upstream.basisAfterRewind(from: ours, to: theirs, knownRestore: context.withLock { $0?.restoreCursor ?? 0 })
        requestNewEpoch(NewEpoch(reason: "the upstream's cursors (\(theirs.cc)/\(theirs.project)) went behind ours (\(ours.cc)/\(ours.project))",
                                 basis: basis))
        return true
    }

    // MARK: Applying

    /// Applies items in cursor order per stream, skipping duplicates. Returns how many were
    /// new. A change that starts a new epoch (a finished restore) ends the batch before it;
    /// it is not committed in the old one, so a restart before the new epoch sees it again.
    @discardableResult
    private func apply(_ items: [SyncItem]) async throws -> Int {
        guard let start = position else { return 0 }
        // Fetches started from here on reflect every change in `items`.
        let seen = fetcher.mark()
        var cursors = start.cursors
        var accepted: [(item: SyncItem, cursors: SyncCursors)] = []
        var restart: (basis: EpochBasis, reason: String)?
        for item in Self.ordered(items) where item.cursor > cursors[item.stream] {
            if let started = upstream.epochStarted(by: item) {
                restart = started
                break
            }
            cursors[item.stream] = item.cursor
            accepted.append((item, cursors))
        }
        if !accepted.isEmpty { try await commit(accepted, from: start, seen: seen, refreshingInit: restart == nil) }
        if let restart {
            requestNewEpoch(NewEpoch(reason: restart.reason, basis: restart.basis))
            return accepted.count + 1
        }
        return accepted.count
    }

    /// Refetches what `accepted` changed, commits it with the items, and hands the batch on.
    private func commit(_ accepted: [(item: SyncItem, cursors: SyncCursors)], from start: BridgePosition,
                        seen: ObjectFetcher.Mark, refreshingInit: Bool) async throws {
        let fetched = try await refetch(accepted.map(\.item), seen: seen)
        var changes = StoreChanges()
        for (item, after) in accepted {
            let key = MirrorKey(item.dataType, item.dataKey)
            switch fetched.rules[item] ?? .ignore {
            case .fetch:
                switch fetched.objects[key] {
                case .present(let object)?: changes.upsert(key, object)
                case .failed(let message)?: changes.fail(key, message)
                case .gone?, nil: changes.delete(key)
                }
            case .remove:
                changes.delete(key)
            case .ignore:
                break
            }
            if item.dataType == "cc.version" { changes.ccVersion = item.dataKey }
            changes.entries.append((item, after))
        }
        let current = context.withLock { $0 }
        if refreshingInit, let current,
           accepted.contains(where: { upstream.changesSnapshotResult($0.item, current: current.initResult) }) {
            changes.initResult = try await refreshedInitResult(keepingCursorsOf: current.initResult)
        }
        let entries = try store.commit(changes, epoch: start.epoch)
        let end = accepted[accepted.count - 1].cursors
        currentPosition.withLock { $0 = BridgePosition(epoch: start.epoch, cursors: end) }
        if let initResult = changes.initResult { context.withLock { $0?.initResult = initResult } }
        if !changes.objectErrors.isEmpty {
            failedObjects.withLock { $0 += changes.objectErrors.count }
            for (key, message) in changes.objectErrors.sorted(by: { $0.key.description < $1.key.description }) {
                logger.warning("committed the change of \(key) without its object, which could not be fetched: \(message)")
            }
        }
        var objects: [MirrorKey: ObjectState] = [:]
        for (key, object) in changes.upserts { objects[key] = .present(object) }
        for key in changes.deletions { objects[key] = .gone }
        for (key, message) in changes.objectErrors { objects[key] = .failed(message) }
        let batch = CommittedBatch(entries: entries, objects: objects)
        for handler in handlers.withLock({ $0.commit }) { await handler(batch) }
    }

    /// A fresh init `result`, asked for after the changes were seen. It keeps the cursors
    /// of the epoch's init (`unicat.init` serves the current ones, and they tell where
    /// the epoch's journal starts).
    private func refreshedInitResult(keepingCursorsOf stored: JSONValue) async throws -> JSONValue {
        var result = try await upstream.snapshot().result.objectValue ?? [:]
        result["cc.cursor"] = stored["cc.cursor"]
        result["cursor"] = stored["cursor"]
        return .object(result)
    }

    /// Decides each item's rule and fetches what must be fetched, one batch per data type,
    /// never from a fetch started before `seen`. Keys that fail are fetched again, with
    /// backoff, up to the retry policy's attempts; what still fails is reported failed.
    private func refetch(_ items: [SyncItem], seen: ObjectFetcher.Mark) async throws -> (rules: [SyncItem: RefetchRule], objects: [MirrorKey: ObjectState]) {
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
            let rule = upstream.refetchRule(for: item, held: isHeld || wantedBySubscribers)
            rules[item] = rule
            if rule == .fetch { wanted[item.dataType, default: []].append(item.dataKey) }
        }
        var objects = try await fetch(wanted, startedSince: seen)
        for attempt in 1..<max(refetchRetry.maxAttempts, 1) {
            var failed: [String: [String]] = [:]
            for (key, state) in objects {
                if case .failed = state { failed[key.dataType, default: []].append(key.key) }
            }
            guard !failed.isEmpty else { break }
            let delay = refetchRetry.delay(attempt: attempt - 1)
            logger.notice("\(failed.values.map(\.count).reduce(0, +)) changed object(s) could not be fetched (attempt \(attempt) of \(refetchRetry.maxAttempts)); retrying in \(String(format: "%.1f", delay)) s")
            try await Task.sleep(for: .seconds(delay))
            objects.merge(try await fetch(failed, startedSince: fetcher.mark())) { $1 }
        }
        return (rules, objects)
    }

    private func fetch(_ wanted: [String: [String]], startedSince mark: ObjectFetcher.Mark) async throws -> [MirrorKey: ObjectState] {
        try await withThrowingTaskGroup(of: (String, ObjectFetcher.Batch).self) { group in
            for (dataType, keys) in wanted {
                group.addTask { (dataType, try await self.fetcher.fetch(dataType, keys: keys, startedSince: mark)) }
            }
            var objects: [MirrorKey: ObjectState] = [:]
            for try await (dataType, batch) in group {
                for (key, outcome) in batch { objects[MirrorKey(dataType, key)] = outcome.state }
            }
            return objects
        }
    }

    // MARK: Epochs

    private func reinitialize(_ newEpoch: NewEpoch) async throws {
        logger.warning("starting a new epoch: \(newEpoch.reason)")
        let response = try await upstream.snapshot()
        try await startEpoch(from: response, basis: newEpoch.basis, reason: newEpoch.reason)
        health.httpSucceeded()
        requestCatchUp()
    }

    private func startEpoch(from initResponse: UnicatResponse, basis: EpochBasis, reason: String) async throws {
        let epoch = basis.epoch(project: project, startingAt: SyncCursors(of: initResponse))
        let first = try store.startEpoch(epoch, project: project, restoreCursor: basis.restoreCursor, initResponse: initResponse)
        currentPosition.withLock { $0 = first }
        context.withLock { $0 = EpochContext(restoreCursor: basis.restoreCursor, initResult: initResponse.result) }
        logger.notice("epoch \(epoch) started (\(reason)) at cursors cc \(first.cursors.cc), project \(first.cursors.project)")
        for handler in handlers.withLock({ $0.epoch }) { await handler(first, reason) }
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
