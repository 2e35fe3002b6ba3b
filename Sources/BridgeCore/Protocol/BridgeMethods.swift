import Foundation

/// The bridge protocol's methods (docs/protocol.md), over the session's parts.
public struct BridgeMethods: Sendable {
    public struct Outcome: Sendable {
        var result: Result<JSONValue, RPCError>
        var followUp: (@Sendable () async -> Void)?

        static func success(_ value: JSONValue, then followUp: (@Sendable () async -> Void)? = nil) -> Outcome {
            Outcome(result: .success(value), followUp: followUp)
        }
        static func failure(_ error: RPCError) -> Outcome { Outcome(result: .failure(error), followUp: nil) }
    }

    public static let protocolVersion = 1
    public static let methodNames = ["initialize", "unicat.init", "unicat.get", "unicat.call", "sync.subscribe",
                                     "sync.unsubscribe", "bridge.status"]
    /// How long requests that need data wait for a cold start's first init.
    static let readinessTimeout: Duration = .seconds(30)
    static let maxKeysPerGet = 1_000

    let session: SessionParts
    var hub: Hub { session.hub }

    public init(session: SessionParts) {
        self.session = session
    }

    func call(_ request: RPCRequest, client: UInt64) async -> Outcome {
        do {
            switch request.method {
            case "initialize": return .success(try await initialize(request.params))
            case "unicat.init": return .success(try await initData(request.params))
            case "unicat.get": return .success(try await get(request.params))
            case "unicat.call": return .success(try await proxy(request.params, client: client))
            case "sync.subscribe": return try await subscribe(request.params, client: client)
            case "sync.unsubscribe": return .success(try await unsubscribe(request.params, client: client))
            case "bridge.status": return .success(try await status(request.params))
            default: return .failure(.methodNotFound(request.method))
            }
        } catch {
            return .failure(.reporting(error))
        }
    }

    /// The current position, waiting (boundedly) for a cold start to finish its first init.
    func readyPosition() async throws -> BridgePosition {
        let deadline = ContinuousClock.now + Self.readinessTimeout
        while true {
            if let position = await hub.currentPosition { return position }
            if ContinuousClock.now > deadline {
                throw RPCError.upstreamUnavailable("no data from Unicat yet (upstream state: \(session.health.state.rawValue))")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
