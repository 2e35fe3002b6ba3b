/// The `allowed_origins` list: which web pages may open a WebSocket to the bridge. A
/// request without an Origin header (not from a browser) is not subject to it, and the
/// bridge's own pages (Origin naming the Host the request was sent to) are always allowed.
struct OriginPolicy: Sendable {
    /// Nil: every origin.
    private let allowed: Set<String>?

    init(allowedOrigins: [String]?) {
        allowed = allowedOrigins.map { Set($0.map(Self.normalized)) }
    }

    func permits(origin: String?, host: String?) -> Bool {
        guard let allowed, let origin else { return true }
        let normalized = Self.normalized(origin)
        if allowed.contains("*") || allowed.contains(normalized) { return true }
        guard let host, let separator = normalized.firstRange(of: "://") else { return false }
        return normalized[separator.upperBound...] == host.lowercased()
    }

    private static func normalized(_ origin: String) -> String {
        var text = origin.lowercased()
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }
}
