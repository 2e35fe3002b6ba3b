/// One subscription of one client, as the hub tracks it. Every path to the subscriber
/// (live fan-out, journal replay, a refill from Unicat) moves the same three marks forward,
/// which is what makes delivery exactly once:
///
/// - `delivered`: per stream, the cursor up to which the subscriber has everything; an item
///   at or below it is never sent again, whichever instance's journal it comes from;
/// - `sequence`: the last local journal entry accounted for (nil while the subscriber is
///   behind the journal's floor and Unicat must fill the gap);
/// - `position`: the last position the subscriber was told.
struct Subscription {
    enum Stage: Equatable {
        /// Created; its `sync.subscribe` response has not gone out yet, so nothing may.
        case pending
        /// Catching up from the journal or Unicat on its own task.
        case catchingUp
        /// At the journal's end: fed by `publish`.
        case live
    }

    let id: String
    let filter: SubscriptionFilter
    /// Changes with every re-arm and every new epoch, so a catch-up task started for an
    /// earlier incarnation stops at its next step.
    var generation: UInt64
    var epoch: String
    var delivered: SyncCursors
    var sequence: Int64?
    var position: BridgePosition
    /// Journal entries up to this sequence were missed before subscribing: their
    /// notifications say `recovered: true`.
    var backlogEnd: Int64
    var stage: Stage
    /// A reset owed to the subscriber, sent first when the subscription activates.
    var pendingReset: String?
    /// Live: the journal sequence after which the last notification sent starts, while the
    /// transport may still hold it untaken (its stream is `generation`): the next one may
    /// replace it with both together. Nil when nothing sent live may be replaced.
    var untakenAfter: Int64?

    var group: SubscriptionGroup { SubscriptionGroup(id: id, filter: filter) }

    /// Everything up to `entry` is accounted for.
    mutating func advance(past entry: JournalEntry) {
        sequence = entry.sequence
        delivered = delivered.union(entry.position.cursors)
        position = entry.position
    }
}

/// Live subscriptions that receive the same bytes: same id, same filter.
struct SubscriptionGroup: Hashable {
    let id: String
    let filter: SubscriptionFilter
}

extension SyncCursors {
    /// Per stream, the larger of the two.
    func union(_ other: SyncCursors) -> SyncCursors {
        SyncCursors(cc: max(cc, other.cc), project: max(project, other.project))
    }

    /// Whether `item` is past these cursors in its own stream.
    func precedes(_ item: SyncItem) -> Bool { item.cursor > self[item.stream] }

    /// At or before `other` in both streams.
    func isAtOrBefore(_ other: SyncCursors) -> Bool { cc <= other.cc && project <= other.project }
}
