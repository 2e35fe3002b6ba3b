#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import BridgePluginKit

/// `<socket>.lock` beside the socket, locked (flock) for as long as the bridge serves the
/// socket: of two bridges started on one path, the second finds it locked and refuses to
/// start, naming the first one's pid, so neither can remove the other's socket. The file is
/// left in place at the end: removing a lock file races with the next process opening it.
struct SocketLock: Sendable {
    let descriptor: Int32

    init(socketPath: String) throws {
        let path = socketPath + ".lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { throw PluginError("cannot open the lock file \(path): \(SystemError(errno))") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let error = errno
            let holder = Self.recordedPID(descriptor)
            close(descriptor)
            guard error == EWOULDBLOCK else { throw PluginError("cannot lock \(path): \(SystemError(error))") }
            throw PluginError("another unicat-bridge\(holder.map { " (pid \($0))" } ?? "") is already serving \(socketPath); stop it first or configure another transports.unix.path")
        }
        // Who holds it, for the message above.
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        self.descriptor = descriptor
    }

    /// Releases the lock.
    func release() {
        close(descriptor)
    }

    private static func recordedPID(_ descriptor: Int32) -> Int? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Int(String(decoding: buffer.prefix(count).filter { (0x30...0x39).contains($0) }, as: UTF8.self))
    }
}
