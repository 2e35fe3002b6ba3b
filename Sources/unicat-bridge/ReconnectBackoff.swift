#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Delays between reconnection attempts: doubling from 0.25 s to 5 s, with ±20 % jitter
/// so that many clients of a restarted bridge do not all come back at once.
struct ReconnectBackoff {
    private static let first = 0.25
    private static let longest = 5.0
    private var next = first

    mutating func reset() {
        next = Self.first
    }

    mutating func wait() {
        let delay = next * Double.random(in: 0.8...1.2)
        next = min(next * 2, Self.longest)
        usleep(useconds_t(delay * 1_000_000))
    }
}
