/// The parts of a running session that the protocol's methods work with.
public struct SessionParts: Sendable {
    public let configuration: BridgeConfiguration
    public let store: BridgeStore
    public let upstream: any Upstream
    public let fetcher: ObjectFetcher
    public let engine: SyncEngine
    public let health: UpstreamHealth
    public let hub: Hub
}
