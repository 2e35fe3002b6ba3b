import BridgePluginKit
import Synchronization

/// The transport's own counters, served on `/metrics` after the host's document.
final class TransportMetrics: Sendable {
    /// Handshake refusals are counted per HTTP status.
    static let refusalStatuses: [UInt32] = [400, 401, 403, 404, 429, 503]

    let connectionsAccepted = Atomic<Int>(0)
    let messagesIn = Atomic<Int>(0)
    let messagesOut = Atomic<Int>(0)
    let bytesOut = Atomic<Int>(0)
    /// Messages refused because a client's queue was full (the host then resets the client).
    let queueFull = Atomic<Int>(0)
    /// Connections closed for breaking a limit or the protocol (oversize, binary or unmasked frames).
    let protocolViolations = Atomic<Int>(0)
    /// Connections closed as they were accepted: their address had `max_handshakes_per_ip` unfinished.
    let acceptsRefused = Atomic<Int>(0)
    private let refusals = Locked<[UInt32: Int]>([:])

    func refused(status: UInt32) {
        refusals.withLock { $0[status, default: 0] += 1 }
    }

    /// Prometheus text exposition; `connections` and the queue figures are sampled by the caller.
    func exposition(connections: Int, queuedMessages: Int, queuedBytes: Int) -> String {
        var lines: [String] = []
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: Int)]) {
            lines.append("# HELP unicat_bridge_websocket_\(name) \(help)")
            lines.append("# TYPE unicat_bridge_websocket_\(name) \(type)")
            for sample in samples { lines.append("unicat_bridge_websocket_\(name)\(sample.labels) \(sample.value)") }
        }
        metric("connections", "gauge", "Open WebSocket connections.", [("", connections)])
        metric("connections_accepted_total", "counter", "WebSocket handshakes accepted.",
               [("", connectionsAccepted.load(ordering: .relaxed))])
        let refused = refusals.withLock { $0 }
        metric("handshakes_refused_total", "counter", "WebSocket handshakes refused, by HTTP status.",
               Self.refusalStatuses.map { (#"{status="\#($0)"}"#, refused[$0, default: 0]) })
        metric("accepts_refused_total", "counter", "Connections closed at accept: their address had too many unfinished handshakes.",
               [("", acceptsRefused.load(ordering: .relaxed))])
        metric("queued_messages", "gauge", "Messages waiting in client queues.", [("", queuedMessages)])
        metric("queued_bytes", "gauge", "Bytes waiting in client queues.", [("", queuedBytes)])
        metric("messages_in_total", "counter", "Messages received from clients.", [("", messagesIn.load(ordering: .relaxed))])
        metric("messages_out_total", "counter", "Messages written to clients.", [("", messagesOut.load(ordering: .relaxed))])
        metric("bytes_out_total", "counter", "Message bytes written to clients.", [("", bytesOut.load(ordering: .relaxed))])
        metric("queue_full_total", "counter", "Messages refused because a client's queue was full.",
               [("", queueFull.load(ordering: .relaxed))])
        metric("protocol_violations_total", "counter", "Connections closed for an oversize, binary or unmasked message.",
               [("", protocolViolations.load(ordering: .relaxed))])
        return lines.joined(separator: "\n") + "\n"
    }
}
