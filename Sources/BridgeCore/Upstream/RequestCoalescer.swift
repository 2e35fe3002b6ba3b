import Synchronization

/// Shares one in-flight operation among identical concurrent requests: the first caller
/// starts it, later callers with the same key await the same result.
public final class RequestCoalescer<Value: Sendable>: Sendable {
    private let inFlight = Mutex<[String: Task<Value, any Error>]>([:])

    public init() {}

    public func run(key: String, _ operation: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let (task, isOwner) = inFlight.withLock { tasks -> (Task<Value, any Error>, Bool) in
            if let existing = tasks[key] { return (existing, false) }
            let task = Task { try await operation() }
            tasks[key] = task
            return (task, true)
        }
        // Only the starter removes the entry, once the shared work is over.
        defer { if isOwner { inFlight.withLock { _ = $0.removeValue(forKey: key) } } }
        return try await task.value
    }

    public var inFlightCount: Int { inFlight.withLock { $0.count } }
}
