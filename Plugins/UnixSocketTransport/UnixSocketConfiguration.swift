#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import BridgePluginKit

/// The Unix-socket transport's configuration: the `TransportLimits` keys, plus
///
/// - `path`: the socket (default `$XDG_RUNTIME_DIR/unicat-bridge/bridge.sock`, else
///   `/run/unicat-bridge/bridge.sock`);
/// - `mode`: the socket file's permissions as an octal string (default "0600", or "0660"
///   with `group`);
/// - `group`: the socket file's group (name or number);
/// - `allowed_uids` / `allowed_gids`: the peers accepted, checked with SO_PEERCRED (default:
///   the bridge's own uid; a peer passes when its uid, primary gid or a supplementary gid
///   is listed);
/// - `max_connections`: connections served at once (default 256).
///
/// Names are resolved when the configuration is read, so a typo stops the bridge at start.
struct UnixSocketConfiguration: Decodable, Sendable {
    static let keys: Set<String> = ["path", "mode", "group", "allowed_uids", "allowed_gids", "max_connections"]

    var limits: TransportLimits
    var address: UnixSocketAddress
    var mode: mode_t
    var group: gid_t?
    var allowList: PeerAllowList
    var maxConnections: Int

    init(from decoder: any Decoder) throws {
        var check = ConfigurationCheck()
        limits = check.read(TransportLimits()) { try TransportLimits(from: decoder, allowingExtraKeys: Self.keys) }
        let container = try decoder.container(keyedBy: ConfigurationKey.self)
        let defaultPath = UnixSocketAddress.defaultPath(xdgRuntimeDirectory: getenv("XDG_RUNTIME_DIR").map { String(cString: $0) })
        address = check.read(try UnixSocketAddress(path: defaultPath), key: "path") {
            let path = try container.decodeIfPresent(String.self, forKey: ConfigurationKey("path")) ?? defaultPath
            guard path.hasPrefix("/") else { throw PluginError("configuration key \"path\" must be an absolute path, got \"\(path)\"") }
            return try UnixSocketAddress(path: path)
        }
        group = check.read(nil, key: "group") { try Self.resolve(Self.accounts(container, "group", single: true), "group") { try $0.groupID() }?.first }
        mode = check.read(nil, key: "mode") { try Self.mode(container) } ?? (group == nil ? 0o600 : 0o660)
        let uids = check.read(nil, key: "allowed_uids") { try Self.resolve(Self.accounts(container, "allowed_uids"), "allowed_uids") { try $0.userID() } }
        let gids = check.read(nil, key: "allowed_gids") { try Self.resolve(Self.accounts(container, "allowed_gids"), "allowed_gids") { try $0.groupID() } }
        if uids?.isEmpty == true, gids?.isEmpty ?? true {
            check.note(PluginError(key: "allowed_uids", "configuration keys \"allowed_uids\" and \"allowed_gids\" are both empty: no peer could connect"))
        }
        allowList = PeerAllowList(uids: Set(uids ?? [geteuid()]), gids: Set(gids ?? []))
        maxConnections = check.read(0) { try container.integer("max_connections", default: 256, in: 1...65_536) }
        try check.finish()
    }

    /// `mode` as an octal string: YAML would read a bare 0660 as decimal or octal
    /// depending on the parser, so numbers are refused.
    private static func mode(_ container: KeyedDecodingContainer<ConfigurationKey>) throws -> mode_t? {
        let key = ConfigurationKey("mode")
        guard container.contains(key) else { return nil }
        let text = (try? container.decode(String.self, forKey: key)) ?? ""
        let digits = text.hasPrefix("0o") ? String(text.dropFirst(2)) : text
        guard !digits.isEmpty, digits.count <= 4, let value = mode_t(digits, radix: 8), value <= 0o777 else {
            throw PluginError(#"configuration key "mode" must be a quoted octal permission string such as "0660" (at most 0777)"#)
        }
        return value
    }

    /// A list of users or groups (or, with `single`, one of them), naming the key in errors.
    private static func accounts(_ container: KeyedDecodingContainer<ConfigurationKey>, _ name: String,
                                 single: Bool = false) throws -> [AccountReference]? {
        let key = ConfigurationKey(name)
        guard container.contains(key) else { return nil }
        do {
            return single ? [try container.decode(AccountReference.self, forKey: key)]
                : try container.decode([AccountReference].self, forKey: key)
        } catch {
            let expected = single ? "a name or a numeric id" : "a list of names or numeric ids"
            throw PluginError("configuration key \"\(name)\" must be \(expected)")
        }
    }

    private static func resolve<ID>(_ references: [AccountReference]?, _ name: String,
                                    _ lookUp: (AccountReference) throws -> ID) throws -> [ID]? {
        do {
            return try references?.map(lookUp)
        } catch {
            throw PluginError("configuration key \"\(name)\": \(error)")
        }
    }
}
