/// Fetches a range of sync items older than the journal from Unicat with `/sync/get`, once
/// per range however many resuming subscribers wait for it.
public final class RangeRefiller: Sendable {
    public typealias Refilled = [(item: SyncItem, cursors: SyncCursors)]

    private let client: UpstreamClient
    private let project: String
    private let shared = RequestCoalescer<[RefilledItem]>()

    struct RefilledItem: Sendable {
        let item: SyncItem
        let cursors: SyncCursors
    }

    public init(client: UpstreamClient, project: String) {
        self.client = client
        self.project = project
    }

    /// Items after `from` up to and including `to`, each with the cursors after it.
    public func items(from: SyncCursors, to: SyncCursors, epoch: String) async throws -> Refilled {
        let key = "\(epoch) \(from.cc)/\(from.project)-\(to.cc)/\(to.project)"
        let refilled = try await shared.run(key: key) { [client, project] in
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
                // Items beyond `to` mean the range is complete.
                if !more || !advanced { break }
            }
            return collected
        }
        return refilled.map { ($0.item, $0.cursors) }
    }
}
