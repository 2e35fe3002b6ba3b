/// One client's subscriptions by id, each in a box of its own. Read and written as values
/// (a copy taken before a suspension stays what it was); live fan-out keeps the box it
/// looked up once per batch and moves the marks in it, instead of hashing the id again per
/// step (a dictionary's in-place update by key costs a coroutine frame and a lookup).
struct SubscriptionTable: Sequence {
    final class Box {
        var value: Subscription

        init(_ value: Subscription) {
            self.value = value
        }
    }

    private var storage: [String: Box] = [:]

    subscript(id: String) -> Subscription? {
        get { storage[id]?.value }
        set {
            if let newValue {
                if let box = storage[id] { box.value = newValue } else { storage[id] = Box(newValue) }
            } else {
                storage[id] = nil
            }
        }
    }

    /// The box of `id`: stays the subscription's while it exists, re-armed or not.
    func box(_ id: String) -> Box? { storage[id] }

    /// Sets the subscription; the one it replaced, if any.
    mutating func updateValue(_ subscription: Subscription, forKey id: String) -> Subscription? {
        let previous = self[id]
        self[id] = subscription
        return previous
    }

    var count: Int { storage.count }

    /// Every subscription's box, to move marks in place.
    var boxes: some Collection<Box> { storage.values }

    var values: [Subscription] { storage.values.map(\.value) }

    func makeIterator() -> some IteratorProtocol<(key: String, value: Subscription)> {
        storage.lazy.map { (key: $0.key, value: $0.value.value) }.makeIterator()
    }
}
