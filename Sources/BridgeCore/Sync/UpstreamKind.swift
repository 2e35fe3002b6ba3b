/// Which server the bridge follows (`upstream.kind`).
public enum UpstreamKind: String, Sendable, CaseIterable {
    case unicat
    /// Zou, the production-tracking server behind Kitsu.
    case zou
}
