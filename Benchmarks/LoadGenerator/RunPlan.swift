import BridgePluginKit
/// How the generator subscribes on each connection.
enum SubscribeMode: String, Sendable, CaseIterable {
    /// `GET /feed?types=…` subscribes on connect (no RPC).
    case feed
    /// A plain WebSocket on `/` and a `sync.subscribe` request.
    case rpc
    /// Connect to the URL as given and only receive (the references).
    case none
}

/// What one run does, fixed before the workers start.
struct RunPlan: Sendable {
    var url: TargetURL
    var connections: Int
    var threads: Int
    var mode: SubscribeMode
    var types: [String]
    var keys: [String]
    var includeObjects: Bool
    var subprotocol: String?
    var caFile: String?
    var connectConcurrency: Int
    /// Connections that stop reading after their first message.
    var stalled: Set<Int>
    /// Connections whose arrivals are kept for latency (all others are only counted).
    var sampledEvery: Int
    var sender: SenderPlan?

    /// Connection 0 sends when there is a sender.
    func role(of connection: Int) -> ConnectionRole {
        if sender != nil, connection == 0 { return .sender }
        return stalled.contains(connection) ? .stalled : .receiver
    }

    /// The request path, with `since` when resuming a feed.
    func path(since position: BridgePosition?) -> String {
        switch mode {
        case .none, .rpc:
            return mode == .rpc ? "/" : url.path
        case .feed:
            var query: [String] = []
            if !types.isEmpty { query.append("types=" + types.map(URLQuery.percentEncode).joined(separator: ",")) }
            if !keys.isEmpty { query.append("keys=" + keys.map(URLQuery.percentEncode).joined(separator: ",")) }
            if includeObjects { query.append("include_objects=1") }
            if let position { query.append("since=" + position.feedParameter) }
            return "/feed" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
        }
    }

    /// The `sync.subscribe` request of RPC mode.
    func subscribeRequest(since position: BridgePosition?) -> String {
        var params: [String] = []
        if !types.isEmpty { params.append("\"types\":[" + types.map(JSONStringLiteral.quote).joined(separator: ",") + "]") }
        if !keys.isEmpty { params.append("\"keys\":[" + keys.map(JSONStringLiteral.quote).joined(separator: ",") + "]") }
        if includeObjects { params.append("\"include_objects\":true") }
        if let position { params.append("\"since\":" + position.json) }
        return "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"sync.subscribe\",\"params\":{" + params.joined(separator: ",") + "}}"
    }
}

/// The mirror reference's sender: numbered change-shaped messages at a steady rate.
struct SenderPlan: Sendable {
    var count: Int
    /// Messages per second; 0: as fast as the server takes them.
    var rate: Double
}

enum ConnectionRole: Sendable {
    case receiver
    case stalled
    case sender
}
