import Logging

/// Finds the project's finished restores in Unicat's cc stream (`/sync/get` with a cc
/// cursor only: jobs, users, projects, memberships), which name epochs (`EpochBasis`).
struct RestoreLog: Sendable {
    let client: UpstreamClient
    let project: String
    let logger: Logger

    /// The cc cursor of the latest finished restore of the project in (`after`, `through`],
    /// or nil when Unicat retains none there. When Unicat no longer holds the stream from
    /// `after` (422 "cursor too old"), the scan starts over from the oldest cursor it
    /// retains: a restore older than that cannot be known. When Unicat cannot serve the cc
    /// stream at all (another 4xx), no restore is known either.
    func latestRestore(after: Int64, through: Int64) async throws -> Int64? {
        var cursor = after
        var latest: Int64?
        var pages = 0
        while cursor < through {
            let response: UnicatResponse
            do {
                response = try await client.call(.syncGet, ["cc_cursor": .int(cursor)])
            } catch let error as UnicatError where error.httpStatus == 422 {
                guard let oldest = error.info["oldest_cursor"]?.int64Value, oldest > cursor else {
                    logger.warning("cannot read Unicat's cc stream after cursor \(cursor) (\(error)); restores there are unknown")
                    return latest
                }
                logger.notice("Unicat keeps its cc stream from cursor \(oldest) on: restores before it are unknown")
                cursor = oldest
                continue
            } catch let error as UnicatError where (400..<500).contains(error.httpStatus) {
                logger.warning("cannot read Unicat's cc stream after cursor \(cursor) (\(error)); restores there are unknown")
                return latest
            }
            pages += 1
            let (items, _, more) = SyncItem.parseList(response.result)
            let page = items.filter { $0.stream == .cc && $0.cursor > cursor && $0.cursor <= through }.sorted { $0.cursor < $1.cursor }
            for item in page where item.isRestoreDone(project: project) { latest = item.cursor }
            // Items beyond `through`, or none at all, end the range.
            guard let last = page.last, more else { break }
            cursor = last.cursor
        }
        logger.debug("scanned the cc stream after \(after) through \(through) in \(pages) page(s): latest restore \(latest.map(String.init) ?? "none")")
        return latest
    }
}
