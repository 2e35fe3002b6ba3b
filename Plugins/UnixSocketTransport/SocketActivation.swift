#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import BridgePluginKit

/// systemd socket activation (sd_listen_fds(3)): when `LISTEN_PID` is this process and
/// `LISTEN_FDS` counts descriptors from 3 on, the listening socket systemd created
/// (`unicat-bridge.socket`) is used instead of binding one.
enum SocketActivation {
    static let firstDescriptor: Int32 = 3

    /// The inherited listening AF_UNIX stream socket, nil when systemd passed none to this
    /// process; throws when it passed descriptors of which none is one.
    static func inheritedListener() throws -> Int32? {
        guard let pid = environment("LISTEN_PID").flatMap(pid_t.init), pid == getpid(),
              let count = environment("LISTEN_FDS").flatMap(Int32.init), count > 0
        else { return nil }
        for descriptor in firstDescriptor..<firstDescriptor + count where isListeningUnixStream(descriptor) {
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
            return descriptor
        }
        throw PluginError("systemd passed \(count) descriptor\(count == 1 ? "" : "s") (LISTEN_FDS) but none is a listening AF_UNIX stream socket; check ListenStream= in the socket unit")
    }

    /// The path an inherited socket is bound to, for the log.
    static func boundPath(of descriptor: Int32) -> String? {
        var address = sockaddr_un()
        var length = socklen_t(MemoryLayout<sockaddr_un>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard result == 0 else { return nil }
        return withUnsafeBytes(of: address.sun_path) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    private static func isListeningUnixStream(_ descriptor: Int32) -> Bool {
        option(descriptor, SO_DOMAIN) == AF_UNIX && option(descriptor, SO_TYPE) == Int32(SOCK_STREAM.rawValue)
            && option(descriptor, SO_ACCEPTCONN) == 1
    }

    private static func option(_ descriptor: Int32, _ name: Int32) -> Int32? {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(descriptor, SOL_SOCKET, name, &value, &length) == 0 ? value : nil
    }

    private static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
