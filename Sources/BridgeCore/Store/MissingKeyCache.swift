import Locking

/// Keys the upstream said do not exist (Unicat's 422, Zou's 404), so that asking for them
/// again (`unicat.get` of a stale gid a tool keeps, or a client asking on purpose) costs no
/// upstream request and none of the client's budget.
///
/// Exact as far as the bridge can know: a commit that names a key (any change to it, or its
/// object fetched) forgets it, a new epoch forgets everything, and an answer that a commit
/// overlapped is not remembered. What no commit can tell (a key that came to exist upstream
/// while the feed lagged) is forgotten after `retentionSeconds`. Bounded: the oldest go first.
struct MissingKeyCache {
    static let maxKeys = 100_000
    static let retentionSeconds = 30.0

    private var expiries: [MirrorKey: MonotonicDeadline] = [:]
    /// Keys in the order they were remembered (so in expiry order); an entry whose key was
    /// forgotten or remembered again since is skipped when it comes up.
    private var order: [(key: MirrorKey, expiry: MonotonicDeadline)] = []
    private var head = 0
    /// Counts commits: an answer asked for at an older generation is not remembered.
    private(set) var generation: UInt64 = 0

    var count: Int { expiries.count }

    /// Which of `keys` the upstream said are missing, recently enough.
    func missing(_ dataType: String, among keys: some Sequence<String>, now: MonotonicDeadline = .now) -> Set<String> {
        guard !expiries.isEmpty else { return [] }
        return Set(keys.filter { key in expiries[MirrorKey(dataType, key)].map { now < $0 } ?? false })
    }

    /// Remembers `keys` as missing, as the upstream said to a request begun at `generation`.
    mutating func remember(_ dataType: String, _ keys: some Sequence<String>, askedAt generation: UInt64,
                           now: MonotonicDeadline = .now) {
        guard generation == self.generation else { return }
        expire(now)
        let expiry = now.adding(seconds: Self.retentionSeconds)
        for key in keys {
            let key = MirrorKey(dataType, key)
            if expiries.count >= Self.maxKeys && expiries[key] == nil { evictOldest() }
            expiries[key] = expiry
            order.append((key, expiry))
        }
        // Keys remembered again leave stale entries behind: never more than the live ones.
        if order.count - head > 2 * Self.maxKeys {
            order = expiries.map { ($0.key, $0.value) }.sorted { $0.expiry < $1.expiry }
            head = 0
        }
    }

    /// A commit named these keys.
    mutating func committed(naming keys: some Sequence<MirrorKey>) {
        generation += 1
        guard !expiries.isEmpty else { return }
        for key in keys { expiries[key] = nil }
    }

    /// Everything goes (a new epoch: the upstream's data may be another's).
    mutating func removeAll() {
        generation += 1
        expiries.removeAll()
        order.removeAll()
        head = 0
    }

    private mutating func expire(_ now: MonotonicDeadline) {
        while head < order.count, order[head].expiry <= now {
            dropHead()
        }
        compact()
    }

    private mutating func evictOldest() {
        while head < order.count {
            let live = expiries[order[head].key] == order[head].expiry
            dropHead()
            if live { break }
        }
        compact()
    }

    /// Forgets the oldest entry's key, unless it was remembered again since.
    private mutating func dropHead() {
        let (key, expiry) = order[head]
        if expiries[key] == expiry { expiries[key] = nil }
        head += 1
    }

    /// The order's consumed front goes once it is half of it: appends stay amortised O(1).
    private mutating func compact() {
        if head == order.count {
            order.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 1024 && head * 2 > order.count {
            order.removeFirst(head)
            head = 0
        }
    }
}
