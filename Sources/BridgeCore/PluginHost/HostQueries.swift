import Synchronization
import Locking

/// Documents plugins may ask for (`host_query`): "status" (bridge.status JSON), "health"
/// (JSON with `ok`) and "metrics" (Prometheus text). Plugins ask from their own threads and
/// cannot wait, so the session refreshes these snapshots in the background.
public final class HostQueries: Sendable {
    private let documents = Locked<[String: String]>([:])

    public init() {}

    public func update(_ name: String, _ document: String) {
        documents.withLock { $0[name] = document }
    }

    public func document(_ name: String) -> String? {
        documents.withLock { $0[name] }
    }
}
