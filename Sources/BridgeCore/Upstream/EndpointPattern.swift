/// One entry of a `call_allowlist`: an endpoint in the official client's notation
/// (`records/get`, `//users/get`), or a prefix of canonical notations ending in `*`
/// (`records/*`, `//*`, `*`). Entries are read into canonical form when the configuration
/// is loaded, so they compare with the canonical endpoints requests are decided on.
public struct EndpointPattern: Sendable, Hashable, CustomStringConvertible {
    private enum Form: Sendable, Hashable {
        case exact(UnicatEndpoint)
        /// The canonical notation's start, e.g. `records/`, `//`, or empty for `*`.
        case prefix(String)
    }

    private let form: Form

    public init(_ text: String) throws(UnicatEndpoint.NotationError) {
        guard text.hasSuffix("*") else {
            form = .exact(try UnicatEndpoint(notation: text))
            return
        }
        var prefix = String(text.dropLast())
        if prefix.hasPrefix("/"), !prefix.hasPrefix("//") { prefix.removeFirst() }
        // A prefix is a canonical notation cut anywhere: check it as one with a stand-in end.
        let complete = prefix.isEmpty || prefix == "//" || prefix.hasSuffix("/") ? prefix + "x" : prefix
        guard !prefix.contains("*") else {
            throw UnicatEndpoint.NotationError(notation: text, reason: "a \"*\" before its end")
        }
        do {
            _ = try UnicatEndpoint(notation: complete)
        } catch {
            throw UnicatEndpoint.NotationError(notation: text, reason: error.reason)
        }
        form = .prefix(prefix)
    }

    /// Whether `endpoint` is one this entry names. The project API behind the global
    /// prefix (`//p/<gid>/…`) is matched only by entries that spell that prefix out:
    /// `*` and `//*` do not reach another project.
    public func matches(_ endpoint: UnicatEndpoint) -> Bool {
        switch form {
        case .exact(let named):
            return named == endpoint
        case .prefix(let prefix):
            if endpoint.reachesProjectThroughGlobalPrefix, !prefix.hasPrefix("//p/") { return false }
            return endpoint.description.hasPrefix(prefix)
        }
    }

    public var description: String {
        switch form {
        case .exact(let endpoint): return endpoint.description
        case .prefix(let prefix): return prefix + "*"
        }
    }
}
