import Logging
import Synchronization

/// What a fetch learned about one key.
public enum FetchedObject: Sendable {
    case present(JSONValue)
    /// Unicat says the object does not exist (422).
    case gone
    /// Unicat refused the key (a 4xx), or gave no usable answer after the client's retries.
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

/// Fetches objects from Unicat, batched with the plural request form, and shared: a key
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
    /// never an answer Unicat gave before the change.
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

    private let client: UpstreamClient
    private let logger: Logger
    private let shared = Mutex(Shared())

    public init(client: UpstreamClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public static func canFetch(_ dataType: String) -> Bool { ObjectFetchSpec.spec(for: dataType) != nil }

    /// Now, in the order of fetches: fetches started from here on are later than anything
    /// seen before this call.
    public func mark() -> Mark { shared.withLock { $0.next } }

    /// The outcome for each of `keys`, joining fetches in flight for them (only those
    /// started at or after `mark` when one is given). Requests go against `allowance` when
    /// one is given. Throws only when the caller is cancelled.
    public func fetch(_ dataType: String, keys: [String], startedSince mark: Mark? = nil,
                      allowance: UpstreamAllowance? = nil) async throws -> Batch {
        guard let spec = ObjectFetchSpec.spec(for: dataType) else { return [:] }
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
            for start in stride(from: 0, to: missing.count, by: spec.batchLimit) {
                let chunk = Array(missing[start..<min(start + spec.batchLimit, missing.count)])
                let started = shared.next
                shared.next = Mark(generation: started.generation + 1)
                let task = Task { await self.fetchBatch(spec, keys: chunk, allowance: allowance) }
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

    /// Fetches `keys` with one request. Unicat refuses a plural request whole when one key
    /// is unknown or forbidden, so such an answer splits the batch until every refused key
    /// stands alone and the others are still had. When the refusal names one of the keys
    /// (its `info`, e.g. `{"record": "<gid>"}`), that key is settled and the rest asked
    /// again together: one request per refused key. Otherwise the batch is halved while it
    /// is large (a few refused keys among many cost few requests), then asked one by one
    /// (which costs no more for a handful, and bounds the cost when most keys are refused).
    private func fetchBatch(_ spec: ObjectFetchSpec, keys: [String], allowance: UpstreamAllowance?) async -> Batch {
        var batch: Batch = [:]
        var parts = [keys]
        while let part = parts.popLast() {
            if let exhausted = allowance?.take() {
                for key in part { batch[key] = .failed(exhausted) }
                continue
            }
            do {
                let objects = spec.objects(in: try await client.call(spec.endpoint, spec.body(for: part), coalesced: false))
                for key in part { batch[key] = objects[key].map { .present($0) } ?? .gone }
            } catch let error as UnicatError where Self.mayConcernSomeKeys(error) {
                guard part.count > 1 else {
                    batch[part[0]] = outcome(of: error, for: part[0], spec)
                    continue
                }
                if let named = Self.key(namedBy: error, among: part) {
                    batch[named] = outcome(of: error, for: named, spec)
                    parts.append(part.filter { $0 != named })
                    continue
                }
                let half = part.count / 2
                parts += part.count > Self.largestBatchAskedOneByOne ? [Array(part[..<half]), Array(part[half...])] : part.map { [$0] }
            } catch {
                // A 5xx, 429 or no answer after the client's retries: nothing is known of any key.
                for key in part { batch[key] = .failed(error) }
            }
        }
        return batch
    }

    /// What a refusal about `key` alone means for it.
    private func outcome(of error: UnicatError, for key: String, _ spec: ObjectFetchSpec) -> FetchedObject {
        if error.isUnprocessable { return .gone }
        logger.debug("Unicat refused \(spec.endpoint) for \(key): \(error)")
        return .failed(error)
    }

    /// The one key of `keys` a refusal's `info` names, if it names exactly one.
    private static func key(namedBy error: UnicatError, among keys: [String]) -> String? {
        guard let values = error.info.objectValue?.values else { return nil }
        let named = Set(values.compactMap(\.stringValue)).intersection(keys)
        return named.count == 1 ? named.first : nil
    }

    private static let largestBatchAskedOneByOne = 8

    /// Answers that may be about some of the keys (unknown, forbidden, invalid), so asking
    /// for fewer keys can tell them apart; 401 and 429 are about the session.
    private static func mayConcernSomeKeys(_ error: UnicatError) -> Bool {
        error.isUnprocessable || ((400..<500).contains(error.httpStatus) && error.httpStatus != 401 && error.httpStatus != 429)
    }
}
