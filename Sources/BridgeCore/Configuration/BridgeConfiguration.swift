import Foundation

/// The bridge's validated settings, merged from flags, the environment and the config file.
public struct BridgeConfiguration: Sendable {
    public struct Upstream: Sendable {
        /// Base URL of the upstream, e.g. `https://unicat.app`, or Zou's API root such as
        /// `https://kitsu.example.com/api` (no trailing slash).
        public var baseURL: String
        /// Unicat's project gid, or Zou's production id (both UUIDs, lowercased).
        public var project: String
        /// Unicat's API key, or the Zou account's password.
        public var secretSource: SecretSource
        public var caFile: String?
        public var requestTimeout: Double
        public var omitExtendedDefinitions: Bool
        public var kind: UpstreamKind = .unicat
        /// The Zou account's email (Zou only).
        public var email: String? = nil
        /// Zou's event stream when it is not served beside the API (Kitsu serves it at
        /// the API's host, `/socket.io`); nil: derived from `baseURL`.
        public var eventsURL: String? = nil
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
