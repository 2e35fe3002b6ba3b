import Foundation
import Synchronization
import Locking

/// Reads the upstream's log of changes (Unicat: `/sync/get`) page by page for subscribers
/// resuming from before the journal. Subscribers resuming from the same place ask for the
/// same pages: concurrent requests share one upstream call (the client coalesces identical
/// reads) and each page is kept briefly for those who arrive just after, so a gap costs the
/// upstream one pass, not one per subscriber. Only one page per subscriber is held at a time.
public final class SyncLogPages: Sendable {
    public struct Page: Sendable {
        /// In cursor order per stream.
        public let items: [SyncItem]
        /// Unicat has more after this page.
        public let more: Bool
    }

    static let retention: Double = 60
    static let maxPages = 64

    private let upstream: any Upstream
    private let recent = Locked<[String: (at: Double, page: Page)]>([:])
    /// Unicat's latest cursors and when they were asked for.
    private let latest = Locked<(at: Double, cursors: SyncCursors)?>(nil)
    /// However many subscribers claim positions ahead, Unicat is asked at most this often.
    static let latestCursorsInterval: Double = 0.5

    public init(upstream: any Upstream) {
        self.upstream = upstream
    }

    /// The page of items after `cursors`.
    public func page(after cursors: SyncCursors, epoch: String) async throws -> Page {
        let key = "\(epoch) \(cursors.cc)/\(cursors.project)"
        let now = Date().timeIntervalSince1970
        if let kept = recent.withLock({ $0[key] }), now - kept.at < Self.retention { return kept.page }
        let (items, more) = try await upstream.changes(after: cursors)
        let page = Page(items: items, more: more)
        recent.withLock { pages in
            pages[key] = (now, page)
            pages = pages.filter { now - $0.value.at < Self.retention }
            while pages.count > Self.maxPages, let oldest = pages.min(by: { $0.value.at < $1.value.at })?.key {
                pages[oldest] = nil
            }
        }
        return page
    }

    /// Whether the upstream's log reaches `cursors` in both streams: a position ahead of this
    /// instance is real when it comes from an instance further along. An upstream without
    /// cursors of its own reaches none.
    public func reaches(_ cursors: SyncCursors) async throws -> Bool {
        let now = Date().timeIntervalSince1970
        if let known = latest.withLock({ $0 }), cursors.isAtOrBefore(known.cursors) || now - known.at < Self.latestCursorsInterval {
            return cursors.isAtOrBefore(known.cursors)
        }
        guard let reached = try await upstream.latestCursors() else { return false }
        latest.withLock { $0 = (now, reached) }
        return cursors.isAtOrBefore(reached)
    }
}
