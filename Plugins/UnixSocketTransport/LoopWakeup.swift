#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import BridgePluginKit

/// Tells the I/O thread, from any thread, which clients have something new to write or
/// a close to start: their ids are collected, and a pipe the thread polls is written to
/// only when the collection goes from empty to non-empty (one wake per burst, e.g. per
/// fan-out to every client).
final class LoopWakeup: Sendable {
    /// Watch this for POLLIN.
    let descriptor: Int32
    private let writeEnd: Int32
    private let pending = Monitor<Set<UInt64>>([])

    init() throws {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            throw PluginError("cannot create a pipe: \(SystemError(errno))")
        }
        for end in ends {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
        }
        descriptor = ends[0]
        writeEnd = ends[1]
    }

    deinit {
        close(descriptor)
        close(writeEnd)
    }

    func notify(_ client: UInt64) {
        let wasIdle = pending.withLock { pending in
            let wasIdle = pending.isEmpty
            pending.insert(client)
            return wasIdle
        }
        guard wasIdle else { return }
        var byte: UInt8 = 1
        // A full pipe (EAGAIN) already wakes the thread.
        _ = write(writeEnd, &byte, 1)
    }

    /// The clients notified since the last call. Empties the pipe first, so that a notify
    /// racing with this call leaves a byte behind for the next poll.
    func takePending() -> Set<UInt64> {
        var bytes = [UInt8](repeating: 0, count: 256)
        while bytes.withUnsafeMutableBytes({ read(descriptor, $0.baseAddress, $0.count) }) > 0 {}
        return pending.withLock { pending in
            defer { pending.removeAll(keepingCapacity: true) }
            return pending
        }
    }
}
