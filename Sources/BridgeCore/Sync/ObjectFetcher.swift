import Synchronization
import Locking

/// What a fetch learned about one key.
public enum FetchedObject: Sendable {
    case present(JSONValue)
    /// The upstream says the object does not exist (Unicat: 422, Zou: 404).
    case gone
    /// The upstream refused the key (a 4xx), or gave no usable answer after the retries.
    case failed(any Error)

    /// The object as subscribers are told about it (an error's description carries no
    /// secrets).
    public var state: ObjectState {
        switch self {
        case .present(let object): return .present(object)
        case .gone: return .gone
        case .failed(let error): return .failed(String(describing: error))
        }
    }
}

/// Fetches objects from the upstream, batched as the upstream allows, and shared: a key
/// already being fetched is not requested again, so every internal consumer (sync engine,
/// subscribers asking for objects) together cause one upstream fetch per changed object.
/// Every key gets its own outcome: an unknown or refused key costs only itself.
///
/// A fetch for a client (`unicat.get`) comes with an `UpstreamAllowance`: its requests are
/// counted against it, and keys it leaves no request for fail with `UpstreamBudgetExhausted`.
/// Such a fetch may join any fetch in flight, but fetches without an allowance (the sync
/// engine, catch-ups) never join one that has an allowance: a client's budget never decides
/// what the bridge commits or delivers.
public final class ObjectFetcher: Sendable {
    public typealias Batch = [String: FetchedObject]

    /// A point in the order in which fetches start. A fetch asked for with
    /// `startedSince: mark` joins only fetches that started at or after it: the sync engine
    /// takes a mark once it has seen a change, so the object it commits for the change is
    /// never an answer the upstream gave before the change.
    public struct Mark: Sendable, Comparable {
        fileprivate let generation: UInt64

        public static func < (lhs: Mark, rhs: Mark) -> Bool { lhs.generation < rhs.generation }
    }

    private struct InFlight {
        let task: Task<Batch, Never>
        let started: Mark
        /// Started with an allowance: some keys may fail for want of budget.
        let bounded: Bool
    }

    private struct Shared {
        var tasks: [MirrorKey: InFlight] = [:]
        /// The mark the next fetch to start gets.
        var next = Mark(generation: 0)
    }

    private let upstream: any Upstream
    private let shared = Locked(Shared())

    public init(upstream: any Upstream) {
        self.upstream = upstream
    }

    public func canFetch(_ dataType: String) -> Bool { upstream.fetchLimit(dataType) != nil }

    /// Now, in the order of fetches: fetches started from here on are later than anything
    /// seen before this call.
    public func mark() -> Mark { shared.withLock { $0.next } }

    /// The outcome for each of `keys`, joining fetches in flight for them (only those
    /// started at or after `mark` when one is given). Requests go against `allowance` when
    /// one is given. Throws only when the caller is cancelled.
    public func fetch(_ dataType: String, keys: [String], startedSince mark: Mark? = nil,
                      allowance: UpstreamAllowance? = nil) async throws -> Batch {
        guard let batchLimit = upstream.fetchLimit(dataType) else { return [:] }
        let wanted = Set(keys)
        var awaited: Set<Task<Batch, Never>> = []
        var owned: [(Task<Batch, Never>, [String])] = []
        shared.withLock { shared in
            var missing: [String] = []
            for key in wanted.sorted() {
                if let current = shared.tasks[MirrorKey(dataType, key)], mark.map({ current.started >= $0 }) ?? true,
                   allowance != nil || !current.bounded {
                    awaited.insert(current.task)
                } else {
                    missing.append(key)
                }
            }
            for start in stride(from: 0, to: missing.count, by: batchLimit) {
                let chunk = Array(missing[start..<min(start + batchLimit, missing.count)])
                let started = shared.next
                shared.next = Mark(generation: started.generation + 1)
                let task = Task { [upstream] in await upstream.fetchObjects(dataType, keys: chunk, allowance: allowance) }
                for key in chunk {
                    shared.tasks[MirrorKey(dataType, key)] = InFlight(task: task, started: started, bounded: allowance != nil)
                }
                owned.append((task, chunk))
                awaited.insert(task)
            }
        }
        defer {
            shared.withLock { shared in
                for (task, chunk) in owned {
                    for key in chunk where shared.tasks[MirrorKey(dataType, key)]?.task == task {
                        shared.tasks[MirrorKey(dataType, key)] = nil
                    }
                }
            }
        }
        var result: Batch = [:]
        for task in awaited {
            for (key, outcome) in await task.value where wanted.contains(key) { result[key] = outcome }
        }
        try Task.checkCancellation()
        return result
    }
}
