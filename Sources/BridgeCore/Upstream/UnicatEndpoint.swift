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

    /// Parses the official client's notation: `//x` global, `/x` or `x` project,
    /// `sync/x` sync. Returns nil for anything that could escape the API (`..`, query).
    public init?(_ notation: String) {
        var text = Substring(notation)
        let family: Family
        if text.hasPrefix("//") {
            family = .global
            text = text.dropFirst(2)
        } else {
            while text.hasPrefix("/") { text = text.dropFirst() }
            if text.hasPrefix("sync/") {
                family = .sync
                text = text.dropFirst(5)
            } else {
                family = .project
            }
        }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789_/.-")
        guard !text.isEmpty, text.allSatisfy({ allowed.contains($0) }), !text.contains(".."),
              !text.hasPrefix("/"), !text.hasSuffix("/")
        else { return nil }
        self.init(family: family, path: String(text))
    }

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

    public var description: String {
        switch family {
        case .project: return path
        case .global: return "//\(path)"
        case .sync: return "sync/\(path)"
        }
    }
}
