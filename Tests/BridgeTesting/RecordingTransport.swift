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
        /// The stream of a client's last message while it may be superseded (queued by
        /// `sendSuperseding`, not drained).
        var supersedable: [UInt64: UInt64] = [:]
        var capacity: Int
        let reportsBusy: Bool
        let supersedes: Bool
    }

    private let state: Locked<State>

    /// `capacity`: messages a client's queue holds before `send` answers `queueFull`
    /// (drained with `drain`). `reportsBusy`: a message queued behind others is `busy`, as
    /// the bundled transports answer. `supersedes`: `sendSuperseding` replaces a client's
    /// last message of the same stream while it is not drained, as the bundled transports
    /// do while their writer has not taken it.
    public init(name: String = "recording", policy: TransportPolicy = TransportPolicy(), capacity: Int = .max,
                reportsBusy: Bool = false, supersedes: Bool = false) {
        self.name = name
        self.policy = policy
        state = Locked(State(capacity: capacity, reportsBusy: reportsBusy, supersedes: supersedes))
    }

    public func send(_ client: UInt64, _ bytes: [UInt8]) -> SendStatus {
        state.withLock { Self.append(bytes, to: client, stream: nil, &$0) }
    }

    public func sendMany(_ clients: [UInt64], _ bytes: [UInt8]) -> [SendStatus] {
        clients.map { send($0, bytes) }
    }

    public var supersedes: Bool { state.withLock { $0.supersedes } }

    public func sendSuperseding(_ clients: [UInt64], streams: [UInt64], combined: [UInt8]?, alone: [UInt8]) -> [SendStatus] {
        state.withLock { state in
            zip(clients, streams).map { client, stream in
                guard state.supersedes else { return Self.append(alone, to: client, stream: nil, &state) }
                if let combined, state.closed[client] == nil, state.supersedable[client] == stream,
                   let last = state.messages[client]?.indices.last {
                    state.messages[client]?[last] = Self.parse(combined)
                    return .superseded
                }
                return Self.append(alone, to: client, stream: stream, &state)
            }
        }
    }

    private static func append(_ bytes: [UInt8], to client: UInt64, stream: UInt64?, _ state: inout State) -> SendStatus {
        guard state.closed[client] == nil else { return .unknownClient }
        let queued = state.queued[client, default: 0]
        guard queued < state.capacity else { return .queueFull }
        state.queued[client] = queued + 1
        state.messages[client, default: []].append(parse(bytes))
        state.supersedable[client] = stream
        return state.reportsBusy && queued > 0 ? .busy : .ok
    }

    private static func parse(_ bytes: [UInt8]) -> JSONValue {
        (try? JSONValue.parse(bytes)) ?? .string(String(decoding: bytes, as: UTF8.self))
    }

    public func close(_ client: UInt64, final: [UInt8]?, code: Int32, reason: String) {
        state.withLock { state in
            if let final { state.messages[client, default: []].append((try? JSONValue.parse(final)) ?? .null) }
            state.closed[client] = (code, reason)
            state.supersedable[client] = nil
        }
    }

    /// Everything sent to `client`, in order (the final message of a close included).
    public func messages(_ client: UInt64) -> [JSONValue] { state.withLock { $0.messages[client] ?? [] } }

    /// The client read its queue: later sends are accepted again, and what it read is not superseded.
    public func drain(_ client: UInt64) {
        state.withLock { state in
            state.queued[client] = 0
            state.supersedable[client] = nil
        }
    }

    public func setCapacity(_ capacity: Int) { state.withLock { $0.capacity = capacity } }

    public func closeCode(_ client: UInt64) -> Int32? { state.withLock { $0.closed[client]?.code } }
}
