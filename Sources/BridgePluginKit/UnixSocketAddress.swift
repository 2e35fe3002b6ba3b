#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A filesystem path as a Unix-domain socket address (`sockaddr_un`), for the Unix-socket
/// transport (bind, and its stale-socket probe) and for its clients (connect).
public struct UnixSocketAddress: Sendable, CustomStringConvertible {
    /// Longest path `sun_path` holds, its terminating NUL excluded (107 on Linux).
    public static let maxPathBytes = MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1

    public let path: String

    public init(path: String) throws {
        guard !path.isEmpty else { throw PluginError("the socket path is empty") }
        guard path.utf8.count <= Self.maxPathBytes else {
            throw PluginError("the socket path \(path) is longer than \(Self.maxPathBytes) bytes (a limit of Unix-domain sockets)")
        }
        guard !path.utf8.contains(0) else { throw PluginError("the socket path contains a NUL byte") }
        self.path = path
    }

    public var description: String { path }

    /// Calls `body` with the address, as `bind` and `connect` take it.
    public func withSockaddr<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { destination in
            // init checked the length: the path and its NUL fit.
            for (index, byte) in path.utf8.enumerated() { destination[index] = byte }
        }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path) ?? 2) + socklen_t(path.utf8.count + 1)
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
        }
    }

    /// Connects a new blocking stream socket (close-on-exec) to this address: its
    /// descriptor, or the errno of `socket` or `connect`.
    public func openConnection() -> Result<Int32, SystemError> {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return .failure(SystemError(errno)) }
        let result = withSockaddr { connect(descriptor, $0, $1) }
        guard result == 0 else {
            let error = SystemError(errno)
            close(descriptor)
            return .failure(error)
        }
        return .success(descriptor)
    }

    /// The default path of the bridge's socket: `$XDG_RUNTIME_DIR/unicat-bridge/bridge.sock`
    /// when `XDG_RUNTIME_DIR` is set (a per-user bridge), else `/run/unicat-bridge/bridge.sock`
    /// (the system service, where systemd's socket unit puts it).
    public static func defaultPath(xdgRuntimeDirectory: String?) -> String {
        if let directory = xdgRuntimeDirectory, directory.hasPrefix("/") {
            return directory + (directory.hasSuffix("/") ? "" : "/") + "unicat-bridge/bridge.sock"
        }
        return "/run/unicat-bridge/bridge.sock"
    }
}
