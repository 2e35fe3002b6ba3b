/// The most recently encoded replay pages, bounded in count (oldest out first): subscribers
/// resuming from the same place with the same filter get the same bytes, and one that finds
/// its page here neither reads nor filters the page again (a resume storm does that work
/// once per page, not once per subscriber).
struct ReplayPageCache {
    struct Key: Hashable {
        let epoch: String
        let group: SubscriptionGroup
        /// The journal sequences the page spans.
        let first: Int64
        let last: Int64
        let recovered: Bool
    }

    struct Page {
        /// The notification; empty when nothing in the page matches the filter.
        let bytes: [UInt8]
        /// The page's last journal entry: a subscriber sent the page is accounted for up to it.
        let last: JournalEntry
        /// Per stream, the lowest cursor among the page's matching items: only a subscriber
        /// below both is owed every one of them (another must not be sent some again).
        let lowest: SyncCursors

        func isWhole(for subscription: Subscription) -> Bool {
            subscription.delivered.cc < lowest.cc && subscription.delivered.project < lowest.project
        }
    }

    private let capacity: Int
    private var pages: [Key: Page] = [:]
    private var order: [Key] = []

    init(capacity: Int) {
        self.capacity = capacity
    }

    func page(_ key: Key) -> Page? { pages[key] }

    mutating func keep(_ page: Page, for key: Key) {
        guard pages.updateValue(page, forKey: key) == nil else { return }
        order.append(key)
        if order.count > capacity { pages[order.removeFirst()] = nil }
    }
}
