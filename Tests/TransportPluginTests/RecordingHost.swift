#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CBridgePlugin
import Foundation

/// A minimal host for driving a plugin in tests: it hands out client ids, records every
/// call the plugin makes, and lets tests wait for them.
final class RecordingHost: @unchecked Sendable {
    enum Event: Equatable, CustomStringConvertible {
        case opened(UInt64, String)
        case message(UInt64, String)
        case closed(UInt64, String)
        case writable(UInt64)
        case shutdown(String)

        var description: String {
            switch self {
            case .opened(let id, let peer): "opened(\(id), \(peer))"
            case .message(let id, let text): "message(\(id), \(text.prefix(200).debugDescription))"
            case .closed(let id, let reason): "closed(\(id), \(reason))"
            case .writable(let id): "writable(\(id))"
            case .shutdown(let reason): "shutdown(\(reason))"
            }
        }
    }

    private struct State {
        var events: [Event] = []
        /// When each of `events` was recorded (on the plugin's thread).
        var times: [ContinuousClock.Instant] = []
        var logs: [String] = []
        var nextID: UInt64 = 41
    }

    private struct VTable: @unchecked Sendable { let pointer: UnsafeMutablePointer<bridge_host_vtable> }

    let refusesClients: Bool
    /// An NSLock (a pthread mutex), not Mutex: ThreadSanitizer sees it (lws notes, pitfall 10).
    private let lock = NSLock()
    private var state = State()  // under `lock`
    private let table: VTable

    var vtable: UnsafePointer<bridge_host_vtable> { UnsafePointer(table.pointer) }

    init(refusesClients: Bool = false) {
        self.refusesClients = refusesClients
        let vtable = UnsafeMutablePointer<bridge_host_vtable>.allocate(capacity: 1)
        vtable.initialize(to: bridge_host_vtable())
        vtable.pointee.abi_major = UInt32(BRIDGE_PLUGIN_ABI_MAJOR)
        vtable.pointee.abi_minor = UInt32(BRIDGE_PLUGIN_ABI_MINOR)
        vtable.pointee.struct_size = UInt32(MemoryLayout<bridge_host_vtable>.size)
        vtable.pointee.client_open = { context, peer in
            RecordingHost.from(context).open(peer.map { String(cString: $0) } ?? "")
        }
        vtable.pointee.client_message = { context, client, bytes, length in
            let text = String(decoding: UnsafeBufferPointer(start: bytes, count: bytes == nil ? 0 : length), as: UTF8.self)
            RecordingHost.from(context).record(.message(client, text))
        }
        vtable.pointee.client_close = { context, client, reason in
            RecordingHost.from(context).record(.closed(client, reason.map { String(cString: $0) } ?? ""))
        }
        vtable.pointee.client_writable = { context, client in
            RecordingHost.from(context).record(.writable(client))
        }
        vtable.pointee.log = { context, level, message in
            RecordingHost.from(context).withState { $0.logs.append("\(level.rawValue): \(message.map { String(cString: $0) } ?? "")") }
        }
        vtable.pointee.host_query = { _, _ in nil }
        vtable.pointee.free_string = { _, string in free(string) }
        vtable.pointee.request_shutdown = { context, reason in
            RecordingHost.from(context).record(.shutdown(reason.map { String(cString: $0) } ?? ""))
        }
        table = VTable(pointer: vtable)
        vtable.pointee.host_ctx = Unmanaged.passUnretained(self).toOpaque()
    }

    deinit {
        table.pointer.deallocate()
    }

    private static func from(_ context: UnsafeMutableRawPointer?) -> RecordingHost {
        // The context is the pointer set in init; the vtable lives as long as the host.
        Unmanaged<RecordingHost>.fromOpaque(UnsafeRawPointer(context.unsafelyUnwrapped)).takeUnretainedValue()
    }

    private func open(_ peer: String) -> UInt64 {
        if refusesClients { return 0 }
        return withState { state in
            let id = state.nextID
            state.nextID += 1
            state.events.append(.opened(id, peer))
            state.times.append(.now)
            return id
        }
    }

    private func record(_ event: Event) {
        withState { state in
            state.events.append(event)
            state.times.append(.now)
        }
    }

    var events: [Event] { withState { $0.events } }
    var logs: [String] { withState { $0.logs } }

    /// When `event` was first recorded: the plugin's timing, whatever delays the test's
    /// own waiting (a busy cooperative pool).
    func time(of event: Event) -> ContinuousClock.Instant? {
        withState { state in state.events.firstIndex(of: event).map { state.times[$0] } }
    }

    func count(where predicate: (Event) -> Bool) -> Int { events.filter(predicate).count }

    /// The messages the client with `id` sent, in order.
    func messages(from id: UInt64) -> [String] {
        events.compactMap { if case .message(id, let text) = $0 { text } else { nil } }
    }

    /// Waits until `condition` holds for the events (10 s at most); false on time-out.
    @discardableResult
    private func withState<Result>(_ body: (inout State) -> Result) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return body(&state)
    }

    func waitFor(_ what: String = "events", timeout: Double = 10, _ condition: ([Event]) -> Bool) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + .milliseconds(Int(timeout * 1000))
        while clock.now < deadline {
            if condition(events) { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return condition(events)
    }
}

extension bridge_status {
    /// Queued, at once or behind others (`BRIDGE_OK_BUSY`).
    var wasQueued: Bool { self == BRIDGE_OK || self == BRIDGE_OK_BUSY }
}
