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
    /// started at or after `mark` when one is given). Throws only when the caller is
    /// cancelled.
    public func fetch(_ dataType: String, keys: [String], startedSince mark: Mark? = nil) async throws -> Batch {
        guard let spec = ObjectFetchSpec.spec(for: dataType) else { return [:] }
        let wanted = Set(keys)
        var awaited: Set<Task<Batch, Never>> = []
        var owned: [(Task<Batch, Never>, [String])] = []
        shared.withLock { shared in
            var missing: [String] = []
            for key in wanted.sorted() {
                if let current = shared.tasks[MirrorKey(dataType, key)], mark.map({ current.started >= $0 }) ?? true {
                    awaited.insert(current.task)
                } else {
                    missing.append(key)
                }
            }
            for start in stride(from: 0, to: missing.count, by: spec.batchLimit) {
                let chunk = Array(missing[start..<min(start + spec.batchLimit, missing.count)])
                let started = shared.next
                shared.next = Mark(generation: started.generation + 1)
                let task = Task { await self.fetchBatch(spec, keys: chunk) }
                for key in chunk { shared.tasks[MirrorKey(dataType, key)] = InFlight(task: task, started: started) }
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
    /// stands alone and the others are still had: halves while the batch is large (a few
    /// refused keys among many cost few requests), then one by one (which costs no more
    /// for a handful, and bounds the cost when most keys are refused).
    private func fetchBatch(_ spec: ObjectFetchSpec, keys: [String]) async -> Batch {
        do {
            let objects = spec.objects(in: try await client.call(spec.endpoint, spec.body(for: keys), coalesced: false))
            return Dictionary(uniqueKeysWithValues: keys.map { key in (key, objects[key].map { .present($0) } ?? .gone) })
        } catch let error as UnicatError where Self.mayConcernSomeKeys(error) {
            guard keys.count > 1 else {
                if !error.isUnprocessable { logger.debug("Unicat refused \(spec.endpoint) for \(keys[0]): \(error)") }
                return [keys[0]: error.isUnprocessable ? .gone : .failed(error)]
            }
            let half = keys.count / 2
            let parts = keys.count > Self.largestBatchAskedOneByOne ? [Array(keys[..<half]), Array(keys[half...])] : keys.map { [$0] }
            var batch: Batch = [:]
            for part in parts { batch.merge(await fetchBatch(spec, keys: part)) { $1 } }
            return batch
        } catch {
            // A 5xx, 429 or no answer after the client's retries: nothing is known of any key.
            return Dictionary(uniqueKeysWithValues: keys.map { ($0, .failed(error)) })
        }
    }

    private static let largestBatchAskedOneByOne = 8

    /// Answers that may be about some of the keys (unknown, forbidden, invalid), so asking
    /// for fewer keys can tell them apart; 401 and 429 are about the session.
    private static func mayConcernSomeKeys(_ error: UnicatError) -> Bool {
        error.isUnprocessable || ((400..<500).contains(error.httpStatus) && error.httpStatus != 401 && error.httpStatus != 429)
    }
}
