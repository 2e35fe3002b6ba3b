extension Hub {
    /// Fans a committed batch out to every live subscription it concerns. A subscriber this
    /// cannot serve exactly right now (an object only Unicat has, a position past some of
    /// the batch) catches up instead.
    public func publish(_ batch: CommittedBatch) {
        guard let last = batch.entries.last else { return }
        let previous = lastSequence
        position = last.position
        lastSequence = last.sequence
        let slots = batch.entries.map { entry in
            // Without subscribers for objects, a later one's catch-up reads them from the mirror.
            let state = !objectsWanted ? nil
                : entry.item.action == "DELETE" ? .gone : batch.objects[MirrorKey(entry.item.dataType, entry.item.dataKey)]
            return JournalRing.Slot(entry: entry, plain: ChangeNotification.itemJSON(entry, object: nil).encodedBytes(),
                                    withObject: state.map { ChangeNotification.itemJSON(entry, object: $0).encodedBytes() })
        }
        recent.append(slots)
        var mirrored: [MirrorKey: ObjectState] = [:]
        defer { if !heldBack.isEmpty { dropClientsHeldBackTooLong() } }
        for (group, clientIDs) in members {
            for (place, clientIDs) in places(of: clientIDs, in: group) {
                if place == previous {
                    deliver(group, slots[...], to: clientIDs, batch: batch, mirrored: &mirrored)
                } else {
                    deliverFromRing(group, after: place, to: clientIDs, mirrored: &mirrored)
                }
            }
        }
    }

    /// Clients the transport says drained (in one call however many did): each live
    /// subscription held back meanwhile gets what it missed, from the ring, in one
    /// notification shared by every subscriber of its filter held back at the same place.
    public func clientsWritable(_ clientIDs: [UInt64]) {
        var held: [SubscriptionGroup: [UInt64]] = [:]
        for clientID in clientIDs {
            guard let state = clients[clientID] else { continue }
            markWritable(clientID)
            for subscription in state.subscriptions.values where subscription.stage == .live && subscription.sequence != lastSequence {
                held[subscription.group, default: []].append(clientID)
            }
        }
        var mirrored: [MirrorKey: ObjectState] = [:]
        for (group, clientIDs) in held {
            let live = members[group] ?? []
            for (place, clientIDs) in places(of: clientIDs.filter(live.contains), in: group) {
                deliverFromRing(group, after: place, to: clientIDs, mirrored: &mirrored)
            }
        }
    }

    /// `clientIDs` (live members of `group`) by the journal sequence they are at; one
    /// without a sequence (Unicat must fill a gap) catches up instead.
    private func places(of clientIDs: some Sequence<UInt64>, in group: SubscriptionGroup) -> [Int64: [UInt64]] {
        var places: [Int64: [UInt64]] = [:]
        for clientID in clientIDs {
            guard clients[clientID]?.closing == false, let subscription = clients[clientID]?.subscriptions[group.id] else { continue }
            if let sequence = subscription.sequence {
                places[sequence, default: []].append(clientID)
            } else {
                startCatchUp(clientID, group.id)
            }
        }
        return places
    }

    /// What follows `place` from the ring, to members of `group` at `place`: held back
    /// while their socket was busy, they read no storage and share the encoding. A page at
    /// a time; what the ring no longer holds, or a longer backlog, is a catch-up's.
    private func deliverFromRing(_ group: SubscriptionGroup, after place: Int64, to clientIDs: [UInt64],
                                 mirrored: inout [MirrorKey: ObjectState]) {
        guard place < lastSequence else { return }
        guard let page = recent.slots(after: place, limit: Self.replayPageSize), !page.isEmpty else {
            for clientID in clientIDs { startCatchUp(clientID, group.id) }
            return
        }
        deliver(group, page, to: clientIDs, batch: nil, mirrored: &mirrored)
        guard let end = page.last?.entry.sequence, end < lastSequence else { return }
        for clientID in clientIDs where clients[clientID]?.blocked == false {
            if clients[clientID]?.subscriptions[group.id]?.sequence == end { startCatchUp(clientID, group.id) }
        }
    }

    /// Sends `page` (the journal entries right after where each of `clientIDs` is) to those
    /// members of `group`, encoded once. `batch` is the batch being published, when `page`
    /// is it: it knows the objects. A blocked client is held back (it stays a member and
    /// gets it all together when it drains); one this cannot serve exactly catches up.
    private func deliver(_ group: SubscriptionGroup, _ page: ArraySlice<JournalRing.Slot>, to clientIDs: [UInt64],
                         batch: CommittedBatch?, mirrored: inout [MirrorKey: ObjectState]) {
        guard let last = page.last?.entry, let first = page.first?.entry else { return }
        // The page's lowest cursor per stream: a member must be below both.
        var lowest = SyncCursors(cc: .max, project: .max)
        for slot in page { lowest[slot.entry.item.stream] = min(lowest[slot.entry.item.stream], slot.entry.item.cursor) }
        let matchingSlots = page.filter { group.filter.matches($0.entry.item) }
        let matching = matchingSlots.map(\.entry)
        var objects: [MirrorKey: ObjectState] = [:]
        var servable = true
        if group.filter.includeObjects, !matching.isEmpty {
            if let batch {
                (objects, servable) = liveObjects(for: matching, batch: batch, mirrored: &mirrored)
            } else {
                servable = matchingSlots.allSatisfy { $0.withObject != nil }
            }
        }
        var targets: [ObjectIdentifier: (transport: any ClientTransport, clients: [UInt64])] = [:]
        for clientID in clientIDs {
            guard let state = clients[clientID], let subscription = state.subscriptions[group.id], !state.closing else { continue }
            guard subscription.delivered.cc < lowest.cc, subscription.delivered.project < lowest.project else {
                startCatchUp(clientID, group.id)
                continue
            }
            if matching.isEmpty {
                advance(clientID, group.id, past: last)
            } else if state.blocked {
                heldBack[clientID] = heldBack[clientID] ?? first.sequence - 1
            } else if !servable {
                startCatchUp(clientID, group.id)
            } else {
                targets[ObjectIdentifier(state.transport), default: (state.transport, [])].clients.append(clientID)
            }
        }
        guard !targets.isEmpty else { return }
        let bytes = Self.changes(matching, id: group.id, filter: group.filter, objects: objects,
                                 encoded: Dictionary(uniqueKeysWithValues: matchingSlots.map { ($0.entry.sequence, $0) }),
                                 position: last.position, recovered: false)
        var sent = 0
        defer {
            count {
                $0.notificationsEncoded += 1
                $0.messagesSent += sent
                $0.bytesSent += sent * bytes.count
            }
        }
        for (transport, recipients) in targets.values {
            let statuses = transport.sendMany(recipients, bytes)
            for (clientID, status) in zip(recipients, statuses) {
                switch status {
                case .ok, .busy:
                    sent += 1
                    advance(clientID, group.id, past: last)
                    if status == .busy { markBlocked(clientID) }
                case .queueFull:
                    markBlocked(clientID)
                    if group.filter.latestOnly { startCatchUp(clientID, group.id) } else { dropSlowConsumer(clientID, subscription: group.id) }
                case .unknownClient, .stopped:
                    unregister(clientID)
                }
            }
        }
    }

    /// Drops the clients held back beyond their transport's bound, unless all they hold is
    /// latest_only subscriptions or replays of what they missed before subscribing.
    private func dropClientsHeldBackTooLong() {
        for (clientID, since) in heldBack {
            guard let state = clients[clientID], lastSequence - since > state.transport.policy.slowConsumerBacklog else { continue }
            let strict = state.subscriptions.values.first { !$0.filter.latestOnly && $0.backlogEnd <= since }
            heldBack[clientID] = nil
            if let strict { dropSlowConsumer(clientID, subscription: strict.id) }
        }
    }

    /// Moves a subscription's marks past `entry` (everything up to it is accounted for).
    func advance(_ client: UInt64, _ id: String, past entry: JournalEntry) {
        // In place: one lookup each, no copy of the client or the subscription.
        clients[client]?.subscriptions[id]?.advance(past: entry)
    }

    /// The objects of `entries` from what the engine fetched, else the mirror (read once per
    /// batch for every group); not servable when one must come from Unicat.
    private func liveObjects(for entries: [JournalEntry], batch: CommittedBatch,
                             mirrored: inout [MirrorKey: ObjectState]) -> ([MirrorKey: ObjectState], Bool) {
        var objects: [MirrorKey: ObjectState] = [:]
        var unknown: [String: [String]] = [:]
        for entry in entries where entry.item.action != "DELETE" {
            let key = MirrorKey(entry.item.dataType, entry.item.dataKey)
            if let state = batch.objects[key] ?? mirrored[key] {
                objects[key] = state
            } else if fetcher.canFetch(key.dataType) {
                unknown[key.dataType, default: []].append(key.key)
            }
        }
        for (dataType, keys) in unknown {
            guard let held = try? store.objects(dataType, keys: keys) else { return (objects, false) }
            for key in keys {
                guard let object = held[key] else { return (objects, false) }
                let state = ObjectState.present(object)
                mirrored[MirrorKey(dataType, key)] = state
                objects[MirrorKey(dataType, key)] = state
            }
        }
        return (objects, true)
    }

    /// A `sync.changes` for `entries`, each item from its ring slot's bytes when it has them.
    static func changes(_ entries: [JournalEntry], id: String, filter: SubscriptionFilter, objects: [MirrorKey: ObjectState],
                        encoded: [Int64: JournalRing.Slot], position: BridgePosition, recovered: Bool) -> [UInt8] {
        let items = entries.map { entry in
            encoded[entry.sequence]?.encoded(includeObjects: filter.includeObjects)
                ?? ChangeNotification.itemJSON(entry, object: objectState(for: entry, filter: filter, in: objects)).encodedBytes()
        }
        return ChangeNotification.changes(subscription: id, encodedItems: items, position: position, recovered: recovered)
    }

    /// What an item says about its object: nothing without `include_objects` or for types
    /// that have no object (jobs), null for a delete, else what is known.
    static func objectState(for entry: JournalEntry, filter: SubscriptionFilter, in objects: [MirrorKey: ObjectState]) -> ObjectState? {
        guard filter.includeObjects else { return nil }
        if entry.item.action == "DELETE" { return .gone }
        return objects[MirrorKey(entry.item.dataType, entry.item.dataKey)]
    }
}
