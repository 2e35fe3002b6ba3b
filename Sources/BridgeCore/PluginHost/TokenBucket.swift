import Foundation

/// Requests-per-second limiting with a burst of one second's worth. A rate of 0 means
/// unlimited.
struct TokenBucket {
    private let rate: Double
    private var tokens: Double
    private var updated = ContinuousClock.now

    init(ratePerSecond: Double) {
        rate = ratePerSecond
        tokens = max(ratePerSecond, 1)
    }

    mutating func take() -> Bool {
        guard rate > 0 else { return true }
        let now = ContinuousClock.now
        let elapsed = now - updated
        updated = now
        tokens = min(max(rate, 1), tokens + rate * (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
