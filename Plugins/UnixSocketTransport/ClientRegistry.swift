#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import BridgePluginKit
import Synchronization

/// The open clients by host id, for the host's calls from any thread.
///
/// A client is registered once `client_open` has returned its id. A host thread that
/// already holds the id while the I/O thread has not registered it yet (the host hands the
/// id on inside `client_open`) waits for that registration rather than being told the
/// client is unknown, which would make the host drop it.
final class ClientRegistry: Sendable {
    enum Lookup {
        case client(UnixClient)
        case unknown
        case stopped
    }

    private struct State {
        var clients: [UInt64: UnixClient] = [:]
        var opening = false
        var stopped = false
    }

    private let state = Locked(State())
    /// The I/O thread, which must never wait on itself.
    private let ioThread = Atomic<UInt>(0)

    func attachIOThread() {
        ioThread.store(UInt(pthread_self()), ordering: .releasing)
    }

    func lookUp(_ id: UInt64) -> Lookup {
        let onIOThread = ioThread.load(ordering: .acquiring) == UInt(pthread_self())
        return state.wait(until: nil) { state -> Lookup? in
            if state.stopped { return .stopped }
            if let client = state.clients[id] { return .client(client) }
            return state.opening && !onIOThread ? nil : .unknown
        } ?? .unknown
    }

    /// Called by the I/O thread just before `client_open`.
    func beginOpening() {
        state.withLock { $0.opening = true }
    }

    /// Called by the I/O thread once `client_open` returned (nil: the host refused).
    func finishOpening(_ client: UnixClient?) {
        state.withLock { state in
            state.opening = false
            if let client { state.clients[client.id] = client }
        }
        state.wakeAll()
    }

    func remove(_ id: UInt64) {
        state.withLock { _ = $0.clients.removeValue(forKey: id) }
    }

    /// From now on every lookup answers `.stopped`.
    func stop() {
        state.withLock { $0.stopped = true }
        state.wakeAll()
    }
}
