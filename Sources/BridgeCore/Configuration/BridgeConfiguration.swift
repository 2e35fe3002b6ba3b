import Foundation

/// The bridge's validated settings, merged from flags, the environment and the config file.
public struct BridgeConfiguration: Sendable {
    public struct Upstream: Sendable {
        /// Base URL of Unicat, e.g. `https://unicat.app` (no trailing slash).
        public var baseURL: String
        public var project: String
        public var apiKeySource: APIKeySource
        public var caFile: String?
        public var requestTimeout: Double
        public var omitExtendedDefinitions: Bool
    }

    public struct Sync: Sendable {
        /// Follow the socket.io feed for low latency; HTTP polling alone when false.
        public var useSocketFeed: Bool
        /// `/sync/get` poll interval even while the socket looks healthy.
        public var safetyPollSeconds: Double
    }

    public var upstream: Upstream
    public var sync: Sync
    public var stateDirectory: String
    public var journalSize: Int
    public var logLevel: String
    /// Transport sections by name, passed to plugins as JSON.
    public var transports: [String: JSONValue]
    public var pluginDirectory: String?
}
