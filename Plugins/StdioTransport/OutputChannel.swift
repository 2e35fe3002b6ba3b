#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import BridgePluginKit

/// The output descriptor (stdout), non-blocking while the transport runs so that a write
/// can give up on stop or at a close deadline even when nobody reads the other end.
final class OutputChannel: Sendable {
    enum WriteOutcome {
        case written
        case stopped
        case timedOut
        case failed(String)
    }

    /// While a write waits for room, how often it looks at the close deadline again
    /// (closing may start during the wait).
    private static let deadlineCheckMilliseconds: Int32 = 100

    let descriptor: Int32
    private let originalFlags: Int32

    init(descriptor: Int32) throws {
        let flags = fcntl(descriptor, F_GETFL)
        guard flags >= 0, flags & O_ACCMODE != O_RDONLY else {
            throw PluginError("output_fd \(descriptor) is not open for writing")
        }
        guard fcntl(descriptor, F_SETFL, flags | O_NONBLOCK) == 0 else {
            throw PluginError("cannot make output_fd \(descriptor) non-blocking: \(String(cString: strerror(errno)))")
        }
        self.descriptor = descriptor
        originalFlags = flags
    }

    /// Writes all of `bytes`, waiting for room with poll(). Gives up when `stop` fires, or
    /// once `deadline()` (asked again at every wait) has passed.
    func writeAll(_ bytes: [UInt8], stop: StopSignal, deadline: () -> MonotonicDeadline?) -> WriteOutcome {
        var offset = 0
        while offset < bytes.count {
            let (written, error) = bytes.withUnsafeBytes { buffer -> (Int, Int32) in
                guard let base = buffer.baseAddress else { return (0, 0) }
                let result = write(descriptor, base + offset, buffer.count - offset)
                return (result, errno)
            }
            if written > 0 {
                offset += written
                continue
            }
            if written < 0 && error == EINTR { continue }
            guard written < 0 && (error == EAGAIN || error == EWOULDBLOCK) else {
                return .failed(written == 0 ? "stdout accepted no bytes" : "stdout write failed: \(String(cString: strerror(error)))")
            }
            if stop.isFired { return .stopped }
            let limit = deadline()
            if limit?.hasPassed == true { return .timedOut }
            var watched = [pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0),
                           pollfd(fd: stop.descriptor, events: Int16(POLLIN), revents: 0)]
            _ = poll(&watched, 2, min(Self.deadlineCheckMilliseconds, limit?.pollTimeout ?? Int32.max))
        }
        return .written
    }

    /// Gives the descriptor its original blocking mode back: it may be shared with the
    /// parent process.
    func restoreFlags() {
        _ = fcntl(descriptor, F_SETFL, originalFlags)
    }

    /// Ends the output for the reader (it sees EOF): restores the flags, then puts
    /// /dev/null in the descriptor's place rather than closing it, so that its number is
    /// not reused by an unrelated open() that a stray write could then corrupt.
    func detach() {
        restoreFlags()
        let null = open("/dev/null", O_WRONLY | O_CLOEXEC)
        if null >= 0 {
            _ = dup2(null, descriptor)
            close(null)
        } else {
            close(descriptor)
        }
    }
}
