/// What the session with the upstream has cost so far, for `bridge.status` and the metrics.
public struct UpstreamCounters: Sendable {
    public var requests = 0
    public var failures = 0
    public var authentications = 0
    /// Access tokens renewed with a refresh token (Zou).
    public var tokenRefreshes = 0

    public init() {}
}
