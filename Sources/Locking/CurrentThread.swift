#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The calling thread's name as `top -H`, `ps -L` and profiles show it.
public enum CurrentThread {
    /// Names the calling thread (cut to the kernel's 15 bytes). Through procfs: Glibc's module
    /// does not export `pthread_setname_np`, `prctl` is variadic, and Foundation's `Thread.name`
    /// names the system thread only when the thread object knows it is current, which races
    /// with `start()` on a new thread.
    public static func name(_ name: String) {
        let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }
}
