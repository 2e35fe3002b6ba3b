import BridgeCore
import BridgePluginKit
import Foundation

/// A `ClientTransport` that records every message the hub hands it, per client, with a
/// queue bound you set: the in-process stand-in for a plugin, so delivery order, resets and
/// slow-consumer handling can be checked deterministically.
public final class RecordingTransport: ClientTransport, Sendable {
    public let name: String
    public let policy: TransportPolicy

    private struct State {
        var messages: [UInt64: [JSONValue]] = [:]
        var queued: [UInt64: Int] = [:]
        var closed: [UInt64: (code: Int32, reason: String)] = [:]
        var capacity: Int
        let reportsBusy: Bool
    }


    private let state: Locked<State>

    /// `capacity`: messages a client's queue holds before `send` answers `queueFull`
    /// (drained with `drain`). `reportsBusy`: a message queued behind others is `busy`, as
    /// the bundled transports answer.
    public init(name: String = "recording", policy: TransportPolicy = TransportPolicy(), capacity: Int = .max,
                reportsBusy: Bool = false) {
        self.name = name
        self.policy = policy
        state = Locked(State(capacity: capacity, reportsBusy: reportsBusy))
    }

    public func send(_ client: UInt64, _ bytes: [UInt8]) -> SendStatus {
        state.withLock { state in
            guard state.closed[client] == nil else { return .unknownClient }
            let queued = state.queued[client, default: 0]
            guard queued < state.capacity else { return .queueFull }
            state.queued[client] = queued + 1
            state.messages[client, default: []].append((try? JSONValue.parse(bytes)) ?? .string(String(decoding: bytes, as: UTF8.self)))
            return state.reportsBusy && queued > 0 ? .busy : .ok
        }
    }

    public func sendMany(_ clients: [UInt64], _ bytes: [UInt8]) -> [SendStatus] {
        clients.map { send($0, bytes) }
    }

    public func close(_ client: UInt64, final: [UInt8]?, code: Int32, reason: String) {
        state.withLock { state in
            if let final { state.messages[client, default: []].append((try? JSONValue.parse(final)) ?? .null) }
            state.closed[client] = (code, reason)
        }
    }

    /// Everything sent to `client`, in order (the final message of a close included).
    public func messages(_ client: UInt64) -> [JSONValue] { state.withLock { $0.messages[client] ?? [] } }

    /// The client read its queue: later sends are accepted again.
    public func drain(_ client: UInt64) { state.withLock { $0.queued[client] = 0 } }

    public func setCapacity(_ capacity: Int) { state.withLock { $0.capacity = capacity } }

    public func closeCode(_ client: UInt64) -> Int32? { state.withLock { $0.closed[client]?.code } }
}
