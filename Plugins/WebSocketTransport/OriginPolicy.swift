/// The `allowed_origins` list: which web pages may open a WebSocket to the bridge. A
/// request without an Origin header (not from a browser) is not subject to it, and the
/// bridge's own pages (an Origin naming one of the listener's own addresses) are always
/// allowed.
struct OriginPolicy: Sendable {
    /// Nil: every origin.
    private let allowed: Set<String>?
    /// The allowed origins that parse, to match however the browser spells them.
    private let allowedOrigins: Set<WebOrigin>

    init(allowedOrigins: [String]?) {
        allowed = allowedOrigins.map { Set($0.map(Self.normalized)) }
        self.allowedOrigins = Set((allowedOrigins ?? []).compactMap(WebOrigin.init(parsing:)))
    }

    func permits(origin: String?, own: ListenerOrigins) -> Bool {
        guard let allowed, let origin else { return true }
        if allowed.contains("*") || allowed.contains(Self.normalized(origin)) { return true }
        guard let parsed = WebOrigin(parsing: origin) else { return false }
        return allowedOrigins.contains(parsed) || own.contains(parsed)
    }

    private static func normalized(_ origin: String) -> String {
        var text = origin.lowercased()
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }
}
