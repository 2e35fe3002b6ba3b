#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import BridgePluginKit
import CLibWebSockets

/// The clients the host can address, and the ones waiting for the service thread (a
/// message queued, a close asked for). Any thread may wake the service thread through
/// here; the lws context is only reached under this lock, which the service thread
/// takes to retire the context before destroying it.
final class ClientRegistry: Sendable {
    private struct State {
        var clients: [UInt64: WebSocketClient] = [:]
        /// True while the service thread announces a client to the host and has not
        /// registered it yet: sends for unknown ids wait for it (they may be for it).
        var opening = false
        var waiting: [WebSocketClient] = []
        var context: LWSContextHandle?
        var serviceThread: pthread_t?
        var stopped = false
    }

    private struct LWSContextHandle: @unchecked Sendable {
        let pointer: OpaquePointer
    }

    private let state = Locked(State())

    var isStopped: Bool { state.withLock { $0.stopped } }

    var clients: [WebSocketClient] { state.withLock { Array($0.clients.values) } }

    /// Called on the service thread before it serves `context`.
    func attach(context: OpaquePointer) {
        state.withLock { state in
            state.context = LWSContextHandle(pointer: context)
            state.serviceThread = pthread_self()
        }
    }

    /// From here on nothing wakes the service thread: its context is about to go.
    func detachContext() {
        state.withLock { $0.context = nil }
    }

    /// Refuses every later send; wakes the service thread to notice.
    func stop() {
        state.withLock { state in
            state.stopped = true
            state.opening = false
            if let context = state.context { lws_cancel_service(context.pointer) }
        }
        state.wakeAll()
    }

    func beginOpening() {
        state.withLock { $0.opening = true }
    }

    /// Ends `beginOpening`, registering `client` unless the host refused it (nil).
    func finishOpening(_ client: WebSocketClient?) {
        state.withLock { state in
            if let client { state.clients[client.id] = client }
            state.opening = false
        }
        state.wakeAll()
    }

    func remove(_ id: UInt64) {
        state.withLock { $0.clients[id] = nil }
    }

    /// The client with `id`, waiting for an announcement in progress on another thread.
    func client(_ id: UInt64) -> WebSocketClient? {
        let lookup = state.wait(until: nil) { state -> Lookup? in
            if let client = state.clients[id] { return .found(client) }
            let onServiceThread = state.serviceThread.map { pthread_equal($0, pthread_self()) != 0 } ?? false
            return state.opening && !state.stopped && !onServiceThread ? nil : .absent
        }
        guard case .found(let client) = lookup else { return nil }
        return client
    }

    /// The clients with `ids`, in order (nil: not registered), under one lock for all; only
    /// ids not found while an announcement is in progress wait for it, one by one.
    func clients(_ ids: UnsafeBufferPointer<UInt64>) -> [WebSocketClient?] {
        let (found, opening) = state.withLock { state in (ids.map { state.clients[$0] }, state.opening) }
        guard opening, found.contains(where: { $0 == nil }) else { return found }
        return zip(ids, found).map { id, client in client ?? self.client(id) }
    }

    private enum Lookup {
        case found(WebSocketClient)
        case absent
    }

    /// Hands `clients` to the service thread, waking it when it had nothing waiting.
    func requestService(_ clients: some Sequence<WebSocketClient>) {
        state.withLock { state in
            let wasEmpty = state.waiting.isEmpty
            for client in clients where !client.awaitingService.exchange(true, ordering: .acquiringAndReleasing) {
                state.waiting.append(client)
            }
            if wasEmpty && !state.waiting.isEmpty, let context = state.context { lws_cancel_service(context.pointer) }
        }
    }

    /// The clients waiting for the service thread (service thread only).
    func takeWaiting() -> [WebSocketClient] {
        let waiting = state.withLock { state in
            defer { state.waiting.removeAll(keepingCapacity: true) }
            return state.waiting
        }
        // Cleared before the caller serves them, so that a message queued meanwhile wakes again.
        for client in waiting { client.awaitingService.store(false, ordering: .releasing) }
        return waiting
    }
}
