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
        defer { if lastSequence > nextHeldBackCheck { dropClientsHeldBackTooLong() } }
        for (group, groupMembers) in members {
            for (place, members) in places(of: groupMembers.values, in: group) {
                if place == previous {
                    deliver(group, slots[...], to: members, batch: batch, mirrored: &mirrored)
                } else {
                    deliverFromRing(group, after: place, to: members, mirrored: &mirrored)
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
            let live = members[group] ?? [:]
            for (place, members) in places(of: clientIDs.compactMap { live[$0] }, in: group) {
                deliverFromRing(group, after: place, to: members, mirrored: &mirrored)
            }
        }
    }

    /// `members` (live members of `group`) by the journal sequence they are at; one
    /// without a sequence (Unicat must fill a gap) catches up instead.
    private func places(of members: some Sequence<Member>, in group: SubscriptionGroup) -> [Int64: [Member]] {
        var places: [Int64: [Member]] = [:]
        // Members mostly share one place: gathered in a run, hashed once per run.
        var run: (place: Int64, members: [Member])?
        for member in members where !member.client.closing {
            guard let sequence = member.subscription.value.sequence else {
                startCatchUp(member.id, group.id)
                continue
            }
            if run?.place == sequence {
                run?.members.append(member)
            } else {
                if let run { places[run.place, default: []] += run.members }
                run = (sequence, [member])
            }
        }
        if let run { places[run.place, default: []] += run.members }
        return places
    }

    /// What follows `place` from the ring, to members of `group` at `place`: held back
    /// while their socket was busy, they read no storage and share the encoding. A page at
    /// a time; what the ring no longer holds, or a longer backlog, is a catch-up's.
    private func deliverFromRing(_ group: SubscriptionGroup, after place: Int64, to members: [Member],
                                 mirrored: inout [MirrorKey: ObjectState]) {
        guard place < lastSequence else { return }
        guard let page = recent.slots(after: place, limit: Self.replayPageSize), !page.isEmpty else {
            for member in members { startCatchUp(member.id, group.id) }
            return
        }
        deliver(group, page, to: members, batch: nil, mirrored: &mirrored)
        guard let end = page.last?.entry.sequence, end < lastSequence else { return }
        for member in members where clients[member.id] === member.client && !member.client.blocked {
            if member.subscription.value.sequence == end { startCatchUp(member.id, group.id) }
        }
    }

    /// Sends `page` (the journal entries right after where each of `clientIDs` is) to those
    /// members of `group`, encoded once. `batch` is the batch being published, when `page`
    /// is it: it knows the objects. A blocked client is held back (it stays a member and
    /// gets it all together when it drains); one this cannot serve exactly catches up.
    private func deliver(_ group: SubscriptionGroup, _ page: ArraySlice<JournalRing.Slot>, to members: [Member],
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
        // Per transport (a handful) and where each member's untaken message starts (a few):
        // a linear search costs less than hashing per member.
        var targets: [(transport: any ClientTransport, untakenAfter: Int64?, members: [Member])] = []
        for member in members {
            // Looked up before this batch: still the same client, still open.
            guard clients[member.id] === member.client, !member.client.closing else { continue }
            let delivered = member.subscription.value.delivered
            guard delivered.cc < lowest.cc, delivered.project < lowest.project else {
                startCatchUp(member.id, group.id)
                continue
            }
            if matching.isEmpty {
                member.subscription.value.advance(past: last)
            } else if member.client.blocked {
                if heldBack[member.id] == nil { holdBack(member, since: first.sequence - 1) }
            } else if !servable {
                startCatchUp(member.id, group.id)
            } else {
                let transport = member.client.transport
                let untakenAfter = member.subscription.value.untakenAfter
                if let index = targets.firstIndex(where: { $0.transport === transport && $0.untakenAfter == untakenAfter }) {
                    targets[index].members.append(member)
                } else {
                    targets.append((transport, untakenAfter, [member]))
                }
            }
        }
        guard !targets.isEmpty else { return }
        let bytes = Self.changes(matching, id: group.id, filter: group.filter, objects: objects,
                                 encoded: Dictionary(uniqueKeysWithValues: matchingSlots.map { ($0.entry.sequence, $0) }),
                                 position: last.position, recovered: false)
        var combinedAfter: [Int64: [UInt8]?] = [:]
        var sent = 0, superseded = 0, encoded = 1
        defer {
            count {
                $0.notificationsEncoded += encoded
                $0.messagesSent += sent
                $0.messagesSuperseded += superseded
                $0.bytesSent += sent * bytes.count
            }
        }
        let place = first.sequence - 1
        for (transport, untakenAfter, recipients) in targets {
            var combined: [UInt8]?
            if let untakenAfter {
                if let known = combinedAfter[untakenAfter] {
                    combined = known
                } else {
                    combined = combinedNotification(group, after: untakenAfter, place: place, through: last, objects: objects)
                    combinedAfter[untakenAfter] = combined
                    if combined != nil { encoded += 1 }
                }
            }
            let statuses = transport.sendSuperseding(recipients.map(\.id), streams: recipients.map(\.subscription.value.generation),
                                                     combined: combined, alone: bytes)
            let supersedes = transport.supersedes
            for (member, status) in zip(recipients, statuses) {
                switch status {
                case .superseded:
                    superseded += 1
                    member.subscription.value.advance(past: last)
                case .ok, .busy:
                    sent += 1
                    member.subscription.value.advance(past: last)
                    if supersedes { member.subscription.value.untakenAfter = place }
                    if status == .busy { markBlocked(member.id) }
                case .queueFull:
                    markBlocked(member.id)
                    if group.filter.latestOnly { startCatchUp(member.id, group.id) } else { dropSlowConsumer(member.id, subscription: group.id) }
                case .unknownClient, .stopped:
                    unregister(member.id)
                }
            }
        }
    }

    /// One notification of what `group`'s members got in their untaken message (the ring's
    /// entries after `untakenAfter`, up to `place`) and what follows through `last`, to
    /// replace that message; nil when it would be long (its writer is not keeping up: let the
    /// queue show it) or the ring cannot say an earlier item exactly as it went out.
    private func combinedNotification(_ group: SubscriptionGroup, after untakenAfter: Int64, place: Int64, through last: JournalEntry,
                                      objects: [MirrorKey: ObjectState]) -> [UInt8]? {
        let length = last.sequence - untakenAfter
        guard length <= Self.supersedingEntries, let slots = recent.slots(after: untakenAfter, limit: Int(length)),
              slots.last?.entry.sequence == last.sequence else { return nil }
        let matching = slots.filter { group.filter.matches($0.entry.item) }
        // An earlier item went out with its object as the ring has it; without that copy (the
        // object came from the mirror then) it cannot be said again exactly.
        guard matching.allSatisfy({ $0.entry.sequence > place || $0.encoded(includeObjects: group.filter.includeObjects) != nil })
        else { return nil }
        let combined = Self.changes(matching.map(\.entry), id: group.id, filter: group.filter, objects: objects,
                                    encoded: Dictionary(uniqueKeysWithValues: matching.map { ($0.entry.sequence, $0) }),
                                    position: last.position, recovered: false)
        return combined.count <= Self.supersedingBytes ? combined : nil
    }

    /// Drops the clients held back beyond their transport's bound, unless all they hold is
    /// latest_only subscriptions or replays of what they missed before subscribing.
    private func dropClientsHeldBackTooLong() {
        nextHeldBackCheck = .max
        for (clientID, since) in heldBack {
            guard let state = clients[clientID] else { continue }
            let bound = Self.heldBackBound(since, state.transport.policy)
            guard lastSequence > bound else {
                nextHeldBackCheck = min(nextHeldBackCheck, bound)
                continue
            }
            let strict = state.subscriptions.values.first { !$0.filter.latestOnly && $0.backlogEnd <= since }
            heldBack[clientID] = nil
            if let strict { dropSlowConsumer(clientID, subscription: strict.id) }
        }
    }

    /// Holds `member`'s client back from `since` on, until it drains or passes its bound.
    private func holdBack(_ member: Member, since: Int64) {
        heldBack[member.id] = since
        nextHeldBackCheck = min(nextHeldBackCheck, Self.heldBackBound(since, member.client.transport.policy))
    }

    /// The last sequence a client held back from `since` may fall behind to (saturating: the
    /// bound is configurable).
    private static func heldBackBound(_ since: Int64, _ policy: TransportPolicy) -> Int64 {
        let (bound, overflow) = since.addingReportingOverflow(Int64(policy.slowConsumerBacklog))
        return overflow ? .max : bound
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
