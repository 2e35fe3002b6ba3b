extension Hub {
    /// Fans a committed batch out to every live subscription it concerns. A subscriber this
    /// cannot serve exactly right now (not at the journal's end, client blocked, an object
    /// only Unicat has, a position past some of the batch) catches up instead.
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
        // The batch's lowest cursor per stream: a live subscriber must be below both.
        var lowest = SyncCursors(cc: .max, project: .max)
        for entry in batch.entries { lowest[entry.item.stream] = min(lowest[entry.item.stream], entry.item.cursor) }
        var mirrored: [MirrorKey: ObjectState] = [:]
        defer { if !heldBack.isEmpty { dropClientsHeldBackTooLong() } }
        for (group, clientIDs) in members {
            let matchingSlots = slots.filter { group.filter.matches($0.entry.item) }
            let matching = matchingSlots.map(\.entry)
            var objects: [MirrorKey: ObjectState] = [:]
            var servable = true
            if group.filter.includeObjects, !matching.isEmpty {
                (objects, servable) = liveObjects(for: matching, batch: batch, mirrored: &mirrored)
            }
            var targets: [UInt64] = []
            var behind: [UInt64] = []
            for clientID in clientIDs {
                guard let state = clients[clientID], let subscription = state.subscriptions[group.id], !state.closing else { continue }
                guard subscription.sequence == previous, subscription.delivered.cc < lowest.cc,
                      subscription.delivered.project < lowest.project
                else {
                    behind.append(clientID)
                    continue
                }
                if matching.isEmpty {
                    advance(clientID, group.id, past: last)
                } else if state.blocked || !servable {
                    if state.blocked { heldBack[clientID] = heldBack[clientID] ?? previous }
                    behind.append(clientID)
                } else {
                    targets.append(clientID)
                }
            }
            for clientID in behind { startCatchUp(clientID, group.id) }
            guard !targets.isEmpty else { continue }
            let bytes = Self.changes(matching, id: group.id, filter: group.filter, objects: objects,
                                     encoded: Dictionary(uniqueKeysWithValues: matchingSlots.map { ($0.entry.sequence, $0) }),
                                     position: last.position, recovered: false)
            counters.notificationsEncoded += 1
            for (transport, recipients) in groupByTransport(targets) {
                let statuses = transport.sendMany(recipients, bytes)
                for (clientID, status) in zip(recipients, statuses) {
                    switch status {
                    case .ok, .busy:
                        counters.messagesSent += 1
                        counters.bytesSent += bytes.count
                        advance(clientID, group.id, past: last)
                        if status == .busy { clients[clientID]?.blocked = true }
                    case .queueFull:
                        clients[clientID]?.blocked = true
                        if group.filter.latestOnly { startCatchUp(clientID, group.id) } else { dropSlowConsumer(clientID, subscription: group.id) }
                    case .unknownClient, .stopped:
                        unregister(clientID)
                    }
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
        guard var subscription = clients[client]?.subscriptions[id] else { return }
        subscription.sequence = entry.sequence
        subscription.delivered = subscription.delivered.union(entry.position.cursors)
        subscription.position = entry.position
        clients[client]?.subscriptions[id] = subscription
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

    private func groupByTransport(_ clientIDs: [UInt64]) -> [(any ClientTransport, [UInt64])] {
        var groups: [ObjectIdentifier: (any ClientTransport, [UInt64])] = [:]
        for clientID in clientIDs {
            guard let transport = clients[clientID]?.transport else { continue }
            groups[ObjectIdentifier(transport), default: (transport, [])].1.append(clientID)
        }
        return Array(groups.values)
    }
}
