import BridgePluginKit
import ServiceLifecycle

/// Lets a transport (stdin EOF) start the same graceful shutdown as SIGTERM, even if it
/// asks before the service group exists.
final class ShutdownTrigger: Sendable {
    private struct State {
        var group: ServiceGroup?
        var requested = false
    }

    private let state = Locked(State())

    func attach(_ group: ServiceGroup) {
        let requested = state.withLock { state in
            state.group = group
            return state.requested
        }
        if requested { Task { await group.triggerGracefulShutdown() } }
    }

    func trigger() {
        let group = state.withLock { state in
            state.requested = true
            return state.group
        }
        if let group { Task { await group.triggerGracefulShutdown() } }
    }
}
