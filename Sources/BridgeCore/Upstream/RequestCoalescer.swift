import Synchronization
import Locking

/// Shares one in-flight operation among identical concurrent requests: the first caller
/// starts it, later callers with the same key await the same result. When every caller
/// waiting on it has been cancelled (a shutdown), the operation is cancelled too, so a
/// retry loop on an unreachable Unicat does not outlive everyone who wanted it.
public final class RequestCoalescer<Value: Sendable>: Sendable {
    private struct Shared {
        let task: Task<Value, any Error>
        var waiters: Int
        var cancelled = 0
    }

    private let inFlight = Locked<[String: Shared]>([:])

    public init() {}

    public func run(key: String, _ operation: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let task = inFlight.withLock { tasks -> Task<Value, any Error> in
            if var existing = tasks[key] {
                existing.waiters += 1
                tasks[key] = existing
                return existing.task
            }
            let task = Task { try await operation() }
            tasks[key] = Shared(task: task, waiters: 1)
            return task
        }
        // The last caller to leave removes the entry.
        defer {
            inFlight.withLock { tasks in
                guard var shared = tasks[key], shared.task == task else { return }
                shared.waiters -= 1
                tasks[key] = shared.waiters == 0 ? nil : shared
            }
        }
        return try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            let abandoned = inFlight.withLock { tasks -> Bool in
                guard var shared = tasks[key], shared.task == task else { return false }
                shared.cancelled += 1
                tasks[key] = shared
                return shared.cancelled == shared.waiters
            }
            if abandoned { task.cancel() }
        }
    }

    public var inFlightCount: Int { inFlight.withLock { $0.count } }
}
