#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Arrival times on the simulator's time scale (Unix seconds, as its `/log` `appended_at`),
/// derived from the monotonic clock so that a wall-clock step during a run cannot bend them.
struct Clock: Sendable {
    private let realtimeAtAnchor: Double
    private let monotonicAtAnchor: Double

    init() {
        monotonicAtAnchor = Clock.monotonicSeconds()
        realtimeAtAnchor = Clock.read(CLOCK_REALTIME)
    }

    /// Seconds since the Unix epoch, advancing with the monotonic clock.
    func now() -> Double {
        realtimeAtAnchor + (Clock.monotonicSeconds() - monotonicAtAnchor)
    }

    static func monotonicSeconds() -> Double {
        read(CLOCK_MONOTONIC)
    }

    private static func read(_ clock: clockid_t) -> Double {
        var spec = timespec()
        clock_gettime(clock, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
