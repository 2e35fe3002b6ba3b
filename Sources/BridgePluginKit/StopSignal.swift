#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization

/// A one-shot "stop now" for plugin threads that wait in poll(): once fired, its file
/// descriptor stays readable, so every poll() that watches it returns at once.
public final class StopSignal: Sendable {
    /// Watch this for POLLIN.
    public let descriptor: Int32
    private let writeEnd: Int32
    private let fired = Atomic<Bool>(false)

    public init() throws {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            throw PluginError("cannot create a pipe: \(String(cString: strerror(errno)))")
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

    public var isFired: Bool { fired.load(ordering: .acquiring) }

    public func fire() {
        guard !fired.exchange(true, ordering: .acquiringAndReleasing) else { return }
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }
}
