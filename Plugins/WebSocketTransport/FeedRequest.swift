#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import BridgePluginKit

/// Feed mode: `GET /feed?types=records,assets&keys=a,b&since=<position>&include_objects=1`
/// upgrades and subscribes at once. The transport sends the host the `sync.subscribe` a
/// client would have sent (id "feed"); its answer reaches the client like any response.
struct FeedRequest: Sendable {
    struct Parameters: Encodable, Sendable {
        var types: [String]?
        var keys: [String]?
        var since: FeedPosition?
        var includeObjects: Bool?
        var latestOnly: Bool?

        private enum CodingKeys: String, CodingKey {
            case types, keys, since, includeObjects = "include_objects", latestOnly = "latest_only"
        }
    }

    private struct Request: Encodable {
        let jsonrpc = "2.0"
        let id = WebSocketProtocol.feedRequestID
        let method = "sync.subscribe"
        let params: Parameters
    }

    static let path = "/feed"

    let parameters: Parameters

    /// Nil when a query parameter cannot be understood (the handshake is refused with 400).
    init?(query: [(name: String, value: String)]) {
        var parameters = Parameters()
        for (name, value) in query {
            switch name {
            case "types": parameters.types = Self.list(value)
            case "keys": parameters.keys = Self.list(value)
            case "since":
                guard let position = FeedPosition(parsing: value) else { return nil }
                parameters.since = position
            case "include_objects":
                guard let flag = Self.flag(value) else { return nil }
                parameters.includeObjects = flag
            case "latest_only":
                guard let flag = Self.flag(value) else { return nil }
                parameters.latestOnly = flag
            case "token": continue
            default: return nil
            }
        }
        self.parameters = parameters
    }

    /// The JSON-RPC request text.
    func message() -> [UInt8] {
        (try? Array(JSONEncoder().encode(Request(params: parameters)))) ?? []
    }

    private static func list(_ value: String) -> [String] {
        value.split(separator: ",").map { Substring($0).trimmingWhitespace }.filter { !$0.isEmpty }
    }

    private static func flag(_ value: String) -> Bool? {
        switch value.lowercased() {
        case "", "1", "true", "yes": true
        case "0", "false", "no": false
        default: nil
        }
    }
}
