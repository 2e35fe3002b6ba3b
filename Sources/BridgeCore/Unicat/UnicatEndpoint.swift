/// A Unicat API endpoint, named as the official client names them: `records/get` is in
/// the project API, `//users/get` in the global API; the sync family is separate.
public struct UnicatEndpoint: Sendable, Hashable, CustomStringConvertible {
    public enum Family: Sendable, Hashable {
        case project, global, sync
    }

    public let family: Family
    /// Path below the family's base, without a leading slash, e.g. `records/get`.
    public let path: String

    public init(family: Family, path: String) {
        self.family = family
        self.path = path
    }

    /// Reads a client's notation (the official client's: `records/get` or `/records/get` in
    /// the project API, `//users/get` in the global API, `sync/get`) into the one canonical
    /// form the bridge decides its policy on and sends. Only plain segments of lowercase
    /// letters, digits, `_` and `-` pass: no `.` or `..`, no empty segment, no
    /// percent-encoding, backslash, query or fragment. Anything else could be rewritten on
    /// the way (libcurl collapses `./`, a server decodes `%2e`), so the endpoint reached
    /// would not be the one decided on.
    public init(notation: String) throws(NotationError) {
        var text = Substring(notation)
        let family: Family
        if text.hasPrefix("//") {
            family = .global
            text = text.dropFirst(2)
        } else {
            if text.hasPrefix("/") { text = text.dropFirst() }
            if text.hasPrefix("sync/") {
                family = .sync
                text = text.dropFirst(5)
            } else {
                family = .project
            }
        }
        guard !text.isEmpty else { throw NotationError(notation: notation, reason: "no path") }
        for segment in text.split(separator: "/", omittingEmptySubsequences: false) {
            if segment.isEmpty { throw NotationError(notation: notation, reason: "an empty segment") }
            if segment.allSatisfy({ $0 == "." }) { throw NotationError(notation: notation, reason: "a \"\(segment)\" segment") }
            if let character = segment.first(where: { !Self.segmentCharacters.contains($0) }) {
                throw NotationError(notation: notation, reason: "the character \(JSONValue.string(String(character)).encodedString())")
            }
        }
        self.init(family: family, path: String(text))
    }

    /// Why a notation has no canonical form.
    public struct NotationError: Error, Sendable, Equatable, CustomStringConvertible {
        public let notation: String
        public let reason: String

        public var description: String {
            "\(JSONValue.string(notation).encodedString()) is not a Unicat endpoint in canonical form (it has \(reason)); "
                + "write e.g. \"records/get\" or \"//users/get\""
        }
    }

    private static let segmentCharacters = Set("abcdefghijklmnopqrstuvwxyz0123456789_-")

    public static func project(_ path: String) -> UnicatEndpoint { .init(family: .project, path: path) }
    public static func global(_ path: String) -> UnicatEndpoint { .init(family: .global, path: path) }
    public static let auth = UnicatEndpoint.project("auth")
    public static let projectInit = UnicatEndpoint.project("init")
    public static let syncGet = UnicatEndpoint(family: .sync, path: "get")
    public static let syncCursors = UnicatEndpoint(family: .sync, path: "cursors")

    /// The full URL below `baseURL` for project `project`.
    public func url(baseURL: String, project: String) -> String {
        switch family {
        case .project: return "\(baseURL)/api/p/\(project)/\(path)"
        case .global: return "\(baseURL)/api/\(path)"
        case .sync: return "\(baseURL)/sync/\(path)"
        }
    }

    /// Reads never change Unicat's state, so retrying them is always safe.
    public var isRead: Bool {
        if self == .auth || self == .projectInit { return true }
        if family == .sync { return true }
        let last = path.split(separator: "/").last.map(String.init) ?? path
        return ["get", "root", "children", "all", "init", "tree", "worksheet"].contains(last)
    }

    /// A global path under `p/<gid>/`: the project API of that project (this one or
    /// another) through the global prefix.
    public var reachesProjectThroughGlobalPrefix: Bool {
        family == .global && (path == "p" || path.hasPrefix("p/"))
    }

    /// Endpoints that take or hand out credentials (`auth`, `login`, `signup`, `apikeys/…`),
    /// in either API, also behind a `p/<gid>/` prefix.
    public var handlesCredentials: Bool {
        var segments = path.split(separator: "/")[...]
        if reachesProjectThroughGlobalPrefix { segments = segments.dropFirst(2) }
        guard family != .sync, let first = segments.first else { return false }
        return ["auth", "login", "signup", "apikeys"].contains(first)
    }

    public var description: String {
        switch family {
        case .project: return path
        case .global: return "//\(path)"
        case .sync: return "sync/\(path)"
        }
    }
}
