import Foundation
import Synchronization

/// Fetches a range of sync items older than the journal from Unicat with `/sync/get`, once
/// per range however many resuming subscribers wait for it: concurrent requests share the
/// fetch, and a refilled range is kept briefly for subscribers that arrive just after.
public final class RangeRefiller: Sendable {
    public typealias Refilled = [(item: SyncItem, cursors: SyncCursors)]

    struct RefilledItem: Sendable {
        let item: SyncItem
        let cursors: SyncCursors
    }

    /// How long a refilled range is kept, and how many ranges.
    static let retention: Double = 60
    static let maxRanges = 8

    private let client: UpstreamClient
    private let project: String
    private let shared = RequestCoalescer<[RefilledItem]>()
    private let recent = Mutex<[String: (at: Double, items: [RefilledItem])]>([:])

    public init(client: UpstreamClient, project: String) {
        self.client = client
        self.project = project
    }

    /// Items after `from` up to and including `to`, each with the cursors after it.
    public func items(from: SyncCursors, to: SyncCursors, epoch: String) async throws -> Refilled {
        let key = "\(epoch) \(from.cc)/\(from.project)-\(to.cc)/\(to.project)"
        let now = Date().timeIntervalSince1970
        if let kept = recent.withLock({ $0[key] }), now - kept.at < Self.retention {
            return kept.items.map { ($0.item, $0.cursors) }
        }
        let refilled = try await shared.run(key: key) { [client, project] in
            try await Self.fetch(client: client, project: project, from: from, to: to)
        }
        recent.withLock { ranges in
            ranges[key] = (now, refilled)
            while ranges.count > Self.maxRanges, let oldest = ranges.min(by: { $0.value.at < $1.value.at })?.key {
                ranges[oldest] = nil
            }
        }
        return refilled.map { ($0.item, $0.cursors) }
    }

    private static func fetch(client: UpstreamClient, project: String, from: SyncCursors, to: SyncCursors) async throws -> [RefilledItem] {
        var cursors = from
        var collected: [RefilledItem] = []
        while cursors.cc < to.cc || cursors.project < to.project {
            let response = try await client.call(.syncGet, cursors.syncRequest(project: project))
            let (items, _, more) = SyncItem.parseList(response.result)
            var advanced = false
            for item in SyncEngine.ordered(items) where item.cursor > cursors[item.stream] && item.cursor <= to[item.stream] {
                cursors[item.stream] = item.cursor
                collected.append(RefilledItem(item: item, cursors: cursors))
                advanced = true
            }
            // Items beyond `to`, or none at all, mean the range is complete.
            if !more || !advanced { break }
        }
        return collected
    }
}
