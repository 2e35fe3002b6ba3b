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
    /// Upstream requests one `unicat.get` may make: ten plural requests (1,000 keys), and as
    /// many again to settle keys Unicat refused.
    static let maxUpstreamRequestsPerGet = 20
    /// Methods whose answer goes out even past the message's answer limit: they change the
    /// client's subscriptions, so it must learn the outcome, and their answers grow only
    /// with their requests.
    static let alwaysAnswered: Set<String> = ["sync.subscribe", "sync.unsubscribe"]

    let session: SessionParts
    var hub: Hub { session.hub }

    public init(session: SessionParts) {
        self.session = session
    }

    /// Runs one request from `source`; `answerBudget` is what its answer may take of the
    /// message's limit (a method that can tell beforehand refuses a larger answer unbuilt).
    func call(_ request: RPCRequest, from source: RequestSource, answerBudget: Int) async -> Outcome {
        do {
            switch request.method {
            case "initialize": return .success(try await initialize(request.params))
            case "unicat.init": return .success(try await initData(request.params))
            case "unicat.get": return .success(try await get(request.params, from: source, answerBudget: answerBudget))
            case "unicat.call": return .success(try await proxy(request.params, from: source))
            case "sync.subscribe": return try await subscribe(request.params, client: source.client)
            case "sync.unsubscribe": return .success(try await unsubscribe(request.params, client: source.client))
            case "bridge.status": return .success(try status(request.params))
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
            // The engine's committed position (under a lock): no wait for the hub.
            if let position = session.engine.position { return position }
            if ContinuousClock.now > deadline {
                throw RPCError.upstreamUnavailable("no data from Unicat yet (upstream state: \(session.health.state.rawValue))")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
