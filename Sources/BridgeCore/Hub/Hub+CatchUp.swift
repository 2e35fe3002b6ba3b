import Foundation

extension Hub {
    /// Takes a subscription off live fan-out and catches it up on its own task (one per
    /// subscription at a time).
    func startCatchUp(_ client: UInt64, _ id: String) {
        guard let state = clients[client], var subscription = state.subscriptions[id], !state.closing else { return }
        leave(subscription.group, client)
        subscription.stage = .catchingUp
        state.subscriptions[id] = subscription
        if state.catchUps[id] == nil {
            let generation = subscription.generation
            state.catchUps[id] = Task { await self.catchUp(client, id, generation: generation) }
        }
    }

    /// The subscription while this catch-up is still its own (not re-armed, not reset by a
    /// new epoch, not unsubscribed, client still there).
    func catchingUp(_ client: UInt64, _ id: String, _ generation: UInt64) -> Subscription? {
        guard let state = clients[client], !state.closing, let subscription = state.subscriptions[id],
              subscription.generation == generation, subscription.stage == .catchingUp else { return nil }
        return subscription
    }

    func update(_ client: UInt64, _ id: String, _ change: (inout Subscription) -> Void) {
        guard var subscription = clients[client]?.subscriptions[id] else { return }
        change(&subscription)
        clients[client]?.subscriptions[id] = subscription
    }

    /// Sends what the subscription owes, step by step, until it is at the journal's end;
    /// then it is live, with no suspension between the last read and joining fan-out.
    /// A range nobody can serve any more ends in `sync.reset {resnapshot_required}` and the
    /// subscription carries on from the current position: never silence.
    private func catchUp(_ client: UInt64, _ id: String, generation: UInt64) async {
        defer {
            if clients[client]?.subscriptions[id]?.generation == generation { clients[client]?.catchUps[id] = nil }
        }
        while let subscription = catchingUp(client, id, generation), !Task.isCancelled {
            // Read only once the client can take more: a page read later is fresher, and a
            // latest_only page coalesces more.
            if clients[client]?.blocked == true {
                await writable(client)
                continue
            }
            do {
                if let reason = subscription.pendingReset {
                    let reset = ChangeNotification.reset(subscription: id, reason: reason, position: subscription.position)
                    guard await sendInOrder(reset, to: client, id, generation) else { return }
                    update(client, id) { $0.pendingReset = nil }
                } else if let sequence = subscription.sequence {
                    if try await replayJournal(client, id, generation, after: sequence) { return }
                } else {
                    try await refillFromUnicat(client, id, generation)
                }
            } catch is CancellationError {
                return
            } catch {
                guard let current = position, catchingUp(client, id, generation) != nil else { return }
                logger.warning("subscription \(id) of client \(client) cannot resume from \(subscription.position.json.encodedString()): \(error)")
                update(client, id) {
                    $0.delivered = current.cursors
                    $0.sequence = lastSequence
                    $0.position = current
                    $0.pendingReset = "resnapshot_required"
                }
            }
        }
    }

    /// One page of the journal after `sequence`; true when the subscription turned live.
    private func replayJournal(_ client: UInt64, _ id: String, _ generation: UInt64, after sequence: Int64) async throws -> Bool {
        guard var subscription = catchingUp(client, id, generation) else { return true }
        let filter = subscription.filter
        let pageSize = filter.latestOnly ? Self.coalescingPageSize : Self.replayPageSize
        // Within an epoch the journal's sequences have no holes: the page after `sequence` is
        // known before it is read, and one another subscriber from here was sent is reused whole.
        if let page = cachedPage(after: sequence, size: pageSize, for: subscription), page.isWhole(for: subscription) {
            if !page.bytes.isEmpty {
                guard await sendInOrder(page.bytes, to: client, id, generation) else { return true }
            }
            update(client, id) { $0.advance(past: page.last) }
            return false
        }
        // Only what has been published: later entries reach it live. Near the head, the
        // ring has them, encoded; further back, storage, read off the hub.
        let held = recent.slots(after: sequence, limit: pageSize)
        let encoded = held.map { slots in Dictionary(uniqueKeysWithValues: slots.map { ($0.entry.sequence, $0) }) } ?? [:]
        var entries: [JournalEntry]
        if let held {
            entries = held.map(\.entry)
        } else {
            entries = try await journalPage(after: sequence, limit: pageSize, epoch: subscription.epoch)
            guard let current = catchingUp(client, id, generation), current.sequence == sequence else { return false }
            subscription = current
        }
        entries = entries.filter { $0.sequence <= lastSequence }
        guard let first = entries.first, let last = entries.last else {
            if let floor = try store.journalBounds().floor, floor.sequence > sequence {
                update(client, id) { $0.sequence = nil }  // pruned past it: Unicat fills the gap
                return false
            }
            goLive(client, id)
            return true
        }
        // A new epoch's journal: `epochStarted` is about to reset this subscription.
        guard first.position.epoch == subscription.epoch else { return park(client, id) }
        guard first.sequence == sequence + 1 else {
            // Pruned while this subscriber was behind: Unicat fills the gap.
            update(client, id) { $0.sequence = nil }
            return false
        }
        let matching = entries.filter { filter.matches($0.item) }
        var wanted = matching.filter { subscription.delivered.precedes($0.item) }
        let cut = wanted.count != matching.count
        if filter.latestOnly { wanted = latestPerKey(wanted) }
        let recovered = first.sequence <= subscription.backlogEnd
        var bytes: [UInt8] = []
        if !wanted.isEmpty {
            let unencoded = wanted.filter { encoded[$0.sequence]?.encoded(includeObjects: filter.includeObjects) == nil }
            let objects = filter.includeObjects && !unencoded.isEmpty ? await currentObjects(for: unencoded) : [:]
            guard catchingUp(client, id, generation) != nil else { return true }
            bytes = Self.changes(wanted, id: id, filter: filter, objects: objects, encoded: encoded, position: last.position,
                                 recovered: recovered)
        }
        // Pages every subscriber from here gets alike are shared.
        if !cut && !filter.latestOnly {
            var lowest = SyncCursors(cc: .max, project: .max)
            for entry in matching { lowest[entry.item.stream] = min(lowest[entry.item.stream], entry.item.cursor) }
            replayPages.keep(.init(bytes: bytes, last: last, lowest: lowest),
                             for: .init(epoch: subscription.epoch, group: subscription.group, first: first.sequence,
                                        last: last.sequence, recovered: recovered))
        }
        if !bytes.isEmpty {
            guard await sendInOrder(bytes, to: client, id, generation) else { return true }
        }
        update(client, id) { $0.advance(past: last) }
        return false
    }

    /// The page after `sequence` as encoded for another subscriber of the same filter, if
    /// one was: it spans the next `size` published entries.
    private func cachedPage(after sequence: Int64, size: Int, for subscription: Subscription) -> ReplayPageCache.Page? {
        let first = sequence + 1, last = min(sequence + Int64(size), lastSequence)
        guard !subscription.filter.latestOnly, first <= last else { return nil }
        return replayPages.page(.init(epoch: subscription.epoch, group: subscription.group, first: first, last: last,
                                      recovered: first <= subscription.backlogEnd))
    }

    /// One page of Unicat's log after the subscription's cursors, up to what this instance
    /// has reached; once the journal covers the subscription, it takes over.
    private func refillFromUnicat(_ client: UInt64, _ id: String, _ generation: UInt64) async throws {
        guard let subscription = catchingUp(client, id, generation) else { return }
        if let sequence = try store.sequence(reachedAt: subscription.delivered) {
            update(client, id) { $0.sequence = sequence }
            return
        }
        let page = try await syncLog.page(after: subscription.delivered, epoch: subscription.epoch)
        guard catchingUp(client, id, generation) != nil, let reached = position, reached.epoch == subscription.epoch else { return }
        var cursors = subscription.delivered
        var entries: [JournalEntry] = []
        for item in page.items where cursors.precedes(item) && item.cursor <= reached.cursors[item.stream] {
            cursors[item.stream] = item.cursor
            entries.append(JournalEntry(sequence: 0, item: item, position: BridgePosition(epoch: subscription.epoch, cursors: cursors),
                                        committedAt: 0))
        }
        guard let last = entries.last else {
            throw ChangesUnavailable("the upstream's log has nothing after cursors cc \(cursors.cc), project \(cursors.project) up to the journal")
        }
        var wanted = entries.filter { subscription.filter.matches($0.item) }
        if subscription.filter.latestOnly { wanted = latestPerKey(wanted) }
        if !wanted.isEmpty {
            let objects = subscription.filter.includeObjects ? await currentObjects(for: wanted) : [:]
            guard catchingUp(client, id, generation) != nil else { return }
            let bytes = Self.changes(wanted, id: id, filter: subscription.filter, objects: objects, encoded: [:], position: last.position,
                                     recovered: true)
            guard await sendInOrder(bytes, to: client, id, generation) else { return }
        }
        update(client, id) { subscription in
            subscription.delivered = cursors
            subscription.position = last.position
        }
    }

    private func goLive(_ client: UInt64, _ id: String) {
        guard let state = clients[client], var subscription = state.subscriptions[id] else { return }
        subscription.stage = .live
        state.subscriptions[id] = subscription
        state.catchUps[id] = nil
        join(subscription.group, client)
    }

    /// Ends this catch-up without touching the subscription: the epoch change that the
    /// journal already shows restarts it.
    private func park(_ client: UInt64, _ id: String) -> Bool {
        clients[client]?.catchUps[id] = nil
        return true
    }

    /// The last change per key, in journal order; the others are counted as coalesced.
    private func latestPerKey(_ entries: [JournalEntry]) -> [JournalEntry] {
        var latest: [MirrorKey: Int] = [:]
        for (index, entry) in entries.enumerated() { latest[MirrorKey(entry.item.dataType, entry.item.dataKey)] = index }
        let kept = Set(latest.values)
        count { $0.coalescedChanges += entries.count - kept.count }
        return entries.indices.filter(kept.contains).map { entries[$0] }
    }

    /// The current state of the objects `entries` changed: from the mirror, else fetched
    /// from Unicat (shared, batched); a fetch that fails says so per object.
    func currentObjects(for entries: [JournalEntry]) async -> [MirrorKey: ObjectState] {
        var objects: [MirrorKey: ObjectState] = [:]
        let wanted = entries.map(\.item).filter { $0.action != "DELETE" }
        for (dataType, group) in Dictionary(grouping: wanted, by: \.dataType) {
            let keys = Array(Set(group.map(\.dataKey)))
            let held = (try? await mirrorObjects(dataType, keys: keys)) ?? [:]
            for (key, object) in held { objects[MirrorKey(dataType, key)] = .present(object) }
            let absent = keys.filter { held[$0] == nil }
            guard !absent.isEmpty, fetcher.canFetch(dataType) else { continue }
            do {
                for (key, object) in try await fetcher.fetch(dataType, keys: absent) {
                    if case .failed(let error) = object {
                        objects[MirrorKey(dataType, key)] = .failed("cannot fetch \(dataType)/\(key) from Unicat: \(error)")
                    } else {
                        objects[MirrorKey(dataType, key)] = object.state
                    }
                }
            } catch {
                // Only cancellation ends a fetch early: the subscription is going away.
                return objects
            }
        }
        return objects
    }
}
