#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A point in time on CLOCK_MONOTONIC, the clock that both pthread condition waits
/// (see `Locked`) and poll() timeouts can be computed against.
public struct MonotonicDeadline: Sendable, Comparable {
    /// Nanoseconds on CLOCK_MONOTONIC.
    let nanoseconds: Int64

    public static var now: MonotonicDeadline {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return MonotonicDeadline(nanoseconds: Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec))
    }

    public static func after(seconds: Double) -> MonotonicDeadline {
        now.adding(seconds: seconds)
    }

    /// This point plus `seconds` (at least 0, at most about 31 years).
    public func adding(seconds: Double) -> MonotonicDeadline {
        let delay = seconds.isFinite ? Int64(min(max(seconds, 0), 1e9) * 1e9) : 0
        return MonotonicDeadline(nanoseconds: nanoseconds + delay)
    }

    public var hasPassed: Bool { MonotonicDeadline.now >= self }

    /// Milliseconds left, rounded up, as poll() takes them; 0 once passed.
    public var pollTimeout: Int32 {
        let left = nanoseconds - MonotonicDeadline.now.nanoseconds
        guard left > 0 else { return 0 }
        return Int32(min((left + 999_999) / 1_000_000, Int64(Int32.max)))
    }

    var timeSpec: timespec {
        timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
    }

    public static func < (lhs: MonotonicDeadline, rhs: MonotonicDeadline) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }
}
