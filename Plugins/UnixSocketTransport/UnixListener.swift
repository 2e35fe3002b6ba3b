#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import BridgePluginKit

/// The listening socket: inherited from systemd (socket activation), or bound at the
/// configured path, where
///
/// - the directory is checked (`SocketDirectory`) and the path locked (`SocketLock`);
/// - a socket file left by a process that is gone (connecting is refused) is replaced; a
///   live one, or a file that is not a socket, stops the start with an error;
/// - the file gets its mode and group before `listen`, so nobody can connect while its
///   permissions are still the umask's;
/// - `stopListening` removes the file, unless it is no longer the one bound here.
final class UnixListener: Sendable {
    /// Identifies the socket file bound here.
    private struct BoundFile: Sendable {
        let path: String
        let device: UInt
        let inode: UInt
    }

    let descriptor: Int32
    /// Where it listens, for the log.
    let summary: String
    /// Systemd made it (and set its mode and group).
    let isInherited: Bool
    private let boundFile: BoundFile?
    private let lock: SocketLock?

    static let backlog: Int32 = 128

    init(configuration: UnixSocketConfiguration, log: (String) -> Void) throws {
        if let inherited = try SocketActivation.inheritedListener() {
            try Self.makeNonBlocking(inherited)
            descriptor = inherited
            let path = SocketActivation.boundPath(of: inherited) ?? "(unnamed)"
            summary = "\(path) (socket activation, fd \(inherited))"
            if path != configuration.address.path {
                log("systemd passed a socket at \(path), not at the configured path \(configuration.address.path); serving on it")
            }
            boundFile = nil
            lock = nil
            isInherited = true
            return
        }
        let address = configuration.address
        try SocketDirectory.prepare(for: address.path, group: configuration.group)
        let lock = try SocketLock(socketPath: address.path)
        do {
            try Self.removeStaleSocket(at: address.path, log: log)
            let (descriptor, file) = try Self.bindSocket(address, mode: configuration.mode, group: configuration.group)
            self.descriptor = descriptor
            boundFile = file
        } catch {
            lock.release()
            throw error
        }
        self.lock = lock
        summary = address.path
        isInherited = false
    }

    /// Stops listening and removes the socket file bound here. Call once.
    func stopListening() {
        _ = close(descriptor)
        if let file = boundFile {
            var info = stat()
            if lstat(file.path, &info) == 0, UInt(info.st_dev) == file.device, UInt(info.st_ino) == file.inode {
                unlink(file.path)
            }
        }
        lock?.release()
    }

    /// What the listener would refuse at `path` before binding, checked without changing
    /// anything (a configuration check): an unsafe directory, a file that is not a socket.
    static func check(_ configuration: UnixSocketConfiguration) throws {
        let path = configuration.address.path
        try SocketDirectory.prepare(for: path, group: configuration.group, creating: false)
        var info = stat()
        if lstat(path, &info) == 0 { try refuseNonSocket(info, at: path) }
    }

    private static func refuseNonSocket(_ info: stat, at path: String) throws {
        guard info.st_mode & S_IFMT == S_IFSOCK else {
            throw PluginError("\(path) exists and is not a socket; remove it or configure another transports.unix.path")
        }
    }

    private static func removeStaleSocket(at path: String, log: (String) -> Void) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            guard errno == ENOENT else { throw PluginError("cannot inspect \(path): \(SystemError(errno))") }
            return
        }
        try refuseNonSocket(info, at: path)
        let address = try UnixSocketAddress(path: path)
        switch address.openConnection() {
        case .success(let probe):
            _ = close(probe)
            throw PluginError("another process is listening on \(path); the bridge does not take over a live socket (stop that process, or configure another transports.unix.path)")
        case .failure(let error) where error.code == ECONNREFUSED:
            guard unlink(path) == 0 || errno == ENOENT else {
                throw PluginError("cannot remove the stale socket \(path): \(SystemError(errno))")
            }
            log("replaced the stale socket \(path) (nothing was listening on it)")
        case .failure(let error):
            throw PluginError("cannot tell whether \(path) is in use (connecting to it: \(error)); remove it if no process serves it")
        }
    }

    private static func bindSocket(_ address: UnixSocketAddress, mode: mode_t, group: gid_t?) throws -> (Int32, BoundFile) {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw PluginError("cannot create a Unix socket: \(SystemError(errno))") }
        guard address.withSockaddr({ bind(descriptor, $0, $1) }) == 0 else {
            let error = SystemError(errno)
            close(descriptor)
            throw PluginError("cannot bind \(address.path): \(error)")
        }
        do {
            guard chmod(address.path, mode) == 0 else {
                throw PluginError("cannot set mode \(String(mode, radix: 8)) on \(address.path): \(SystemError(errno))")
            }
            if let group, chown(address.path, uid_t.max, group) != 0 {
                throw PluginError("cannot give \(address.path) to group \(group): \(SystemError(errno))")
            }
            var info = stat()
            guard lstat(address.path, &info) == 0 else { throw PluginError("cannot inspect \(address.path): \(SystemError(errno))") }
            guard listen(descriptor, backlog) == 0 else { throw PluginError("cannot listen on \(address.path): \(SystemError(errno))") }
            try makeNonBlocking(descriptor)
            return (descriptor, BoundFile(path: address.path, device: UInt(info.st_dev), inode: UInt(info.st_ino)))
        } catch {
            _ = close(descriptor)
            unlink(address.path)
            throw error
        }
    }

    private static func makeNonBlocking(_ descriptor: Int32) throws {
        let flags = fcntl(descriptor, F_GETFL)
        guard flags >= 0, fcntl(descriptor, F_SETFL, flags | O_NONBLOCK) == 0 else {
            throw PluginError("cannot make the listening socket non-blocking: \(SystemError(errno))")
        }
    }
}
