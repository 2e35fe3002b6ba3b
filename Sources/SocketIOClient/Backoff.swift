/// Reconnect delays: exponential growth from the lower bound up to the upper bound, with
/// full jitter so that many bridges restarting together do not reconnect in lockstep.
struct Backoff: Sendable {
    let range: ClosedRange<Double>
    private(set) var attempt = 0

    init(range: ClosedRange<Double>) {
        // Guard against a zero or negative lower bound turning the retry into a busy loop.
        let lower = max(range.lowerBound, 0.01)
        self.range = lower...max(lower, range.upperBound)
    }

    /// The cap for the current attempt: lower × 2^attempt, at most the upper bound.
    var currentCap: Double {
        let exponent = Double(min(attempt, 62))
        return min(range.upperBound, range.lowerBound * pow2(exponent))
    }

    /// The next delay in seconds, uniformly drawn from lower...cap; advances the attempt.
    mutating func nextDelay<G: RandomNumberGenerator>(using generator: inout G) -> Double {
        let cap = currentCap
        attempt += 1
        return cap > range.lowerBound ? Double.random(in: range.lowerBound...cap, using: &generator) : cap
    }

    mutating func nextDelay() -> Double {
        var generator = SystemRandomNumberGenerator()
        return nextDelay(using: &generator)
    }

    /// Called after a connection that lasted, or when a reconnect is explicitly requested.
    mutating func reset() { attempt = 0 }

    private func pow2(_ exponent: Double) -> Double {
        var value = 1.0
        var remaining = Int(exponent)
        while remaining > 0 && value < 1e18 { value *= 2; remaining -= 1 }
        return value
    }
}
