import Foundation

/// Rate limiting: up to `burst` at once, refilled at `ratePerSecond`. A rate of 0 means
/// unlimited.
struct TokenBucket {
    private let rate: Double
    private let burst: Double
    private var tokens: Double
    private var updated = ContinuousClock.now

    /// `burst` defaults to one second's worth (at least one).
    init(ratePerSecond: Double, burst: Double? = nil) {
        rate = ratePerSecond
        self.burst = burst ?? max(ratePerSecond, 1)
        tokens = self.burst
    }

    mutating func take() -> Bool {
        guard rate > 0 else { return true }
        let now = ContinuousClock.now
        let elapsed = now - updated
        updated = now
        tokens = min(burst, tokens + rate * (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
