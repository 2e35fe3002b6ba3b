import Foundation
import Logging
import Synchronization
import Locking

/// The upstream state as subscribers and operators see it, derived from the HTTP side
/// (catch-up results) and the socket feed, with transitions logged and announced.
public final class UpstreamHealth: Sendable {
    public enum State: String, Sendable {
        case starting, connected, reconnecting, authFailed = "auth_failed", offline
    }

    public struct Snapshot: Sendable {
        public var state: State
        public var feedConnected: Bool
        /// The feed connected at least once: its absence is then a reconnect, not a start.
        public var feedEverConnected: Bool
        public var lastError: String?
        public var lastSuccessAt: Double?
        public var consecutiveFailures: Int
        /// The last failure was Unicat refusing the API key.
        public var credentialsRejected: Bool
    }

    private let snapshotState: Locked<Snapshot>
    private let feedEnabled: Bool
    private let logger: Logger
    private let observers = Locked<[@Sendable (State) -> Void]>([])
    /// Failures in a row after which the upstream counts as offline rather than reconnecting.
    private let offlineAfter = 3

    public init(feedEnabled: Bool, logger: Logger) {
        self.feedEnabled = feedEnabled
        self.logger = logger
        snapshotState = Locked(Snapshot(state: .starting, feedConnected: false, feedEverConnected: false,
                                       lastError: nil, lastSuccessAt: nil,
                                       consecutiveFailures: 0, credentialsRejected: false))
    }

    public var snapshot: Snapshot { snapshotState.withLock { $0 } }
    public var state: State { snapshot.state }

    public func observe(_ observer: @escaping @Sendable (State) -> Void) {
        observers.withLock { $0.append(observer) }
    }

    public func httpSucceeded() {
        update { snapshot in
            snapshot.consecutiveFailures = 0
            snapshot.lastError = nil
            snapshot.credentialsRejected = false
            snapshot.lastSuccessAt = Date().timeIntervalSince1970
        }
    }

    public func httpFailed(_ error: any Error) {
        update { snapshot in
            snapshot.consecutiveFailures += 1
            snapshot.lastError = "\(error)"
            if case UpstreamError.credentialsRejected = error { snapshot.credentialsRejected = true } else { snapshot.credentialsRejected = false }
        }
    }

    public func feed(connected: Bool) {
        update { snapshot in
            snapshot.feedConnected = connected
            snapshot.feedEverConnected = snapshot.feedEverConnected || connected
        }
    }

    private func update(_ change: (inout Snapshot) -> Void) {
        let (old, new) = snapshotState.withLock { snapshot -> (State, State) in
            let old = snapshot.state
            change(&snapshot)
            snapshot.state = derive(snapshot)
            return (old, snapshot.state)
        }
        guard old != new else { return }
        logger.notice("upstream state: \(old.rawValue) → \(new.rawValue)")
        for observer in observers.withLock({ $0 }) { observer(new) }
    }

    private func derive(_ snapshot: Snapshot) -> State {
        if snapshot.consecutiveFailures > 0 {
            if snapshot.credentialsRejected { return .authFailed }
            return snapshot.consecutiveFailures >= offlineAfter ? .offline : .reconnecting
        }
        guard snapshot.lastSuccessAt != nil else { return .starting }
        guard feedEnabled, !snapshot.feedConnected else { return .connected }
        return snapshot.feedEverConnected ? .reconnecting : .starting
    }
}
