import Logging
import Synchronization

/// Fetches objects from Unicat, batched with the plural request form, and shared: a key
/// already being fetched is not requested again, so every internal consumer (sync engine,
/// subscribers asking for objects) together cause one upstream fetch per changed object.
public final class ObjectFetcher: Sendable {
    /// Key → object, or nil when Unicat says the object does not exist (422).
    public typealias Batch = [String: JSONValue?]

    private let client: UpstreamClient
    private let logger: Logger
    private let inFlight = Mutex<[MirrorKey: Task<Batch, any Error>]>([:])

    public init(client: UpstreamClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public static func canFetch(_ dataType: String) -> Bool { ObjectFetchSpec.spec(for: dataType) != nil }

    public func fetch(_ dataType: String, keys: [String]) async throws -> Batch {
        guard let spec = ObjectFetchSpec.spec(for: dataType) else { return [:] }
        var shared: Set<Task<Batch, any Error>> = []
        var owned: [(Task<Batch, any Error>, [String])] = []
        inFlight.withLock { tasks in
            var missing: [String] = []
            for key in Set(keys) {
                if let task = tasks[MirrorKey(dataType, key)] { shared.insert(task) } else { missing.append(key) }
            }
            for start in stride(from: 0, to: missing.count, by: spec.batchLimit) {
                let chunk = Array(missing[start..<min(start + spec.batchLimit, missing.count)])
                let task = Task { try await self.fetchBatch(spec, keys: chunk) }
                for key in chunk { tasks[MirrorKey(dataType, key)] = task }
                owned.append((task, chunk))
                shared.insert(task)
            }
        }
        defer {
            inFlight.withLock { tasks in
                for (task, chunk) in owned {
                    for key in chunk where tasks[MirrorKey(dataType, key)] == task { tasks[MirrorKey(dataType, key)] = nil }
                }
            }
        }
        var result: Batch = [:]
        for task in shared {
            for (key, object) in try await task.value { result[key] = object }
        }
        return result.filter { keys.contains($0.key) }
    }

    private func fetchBatch(_ spec: ObjectFetchSpec, keys: [String]) async throws -> Batch {
        do {
            let objects = spec.objects(in: try await client.call(spec.endpoint, spec.body(for: keys)))
            return Dictionary(uniqueKeysWithValues: keys.map { ($0, objects[$0]) })
        } catch let error as UnicatError where error.isUnprocessable {
            // One unknown key fails the whole plural request: ask one by one to learn which
            // objects are gone.
            guard keys.count > 1 else { return [keys[0]: nil] }
            var batch: Batch = [:]
            for key in keys {
                batch.merge(try await fetchBatch(spec, keys: [key])) { $1 }
            }
            return batch
        }
    }
}
