import Foundation
import Synchronization
import Locking

/// How fast one client may make the bridge ask Unicat (`unicat.get`'s fetches and
/// `unicat.call`): a burst of `burst` requests, then `perSecond`. Shared by all the client's
/// requests, so neither many requests nor a batch of them multiplies what it may cost.
public final class UpstreamRate: Sendable {
    public static let defaultBurst = 200
    public static let defaultPerSecond = 20.0

    public let burst: Int
    public let perSecond: Double
    private let bucket: Locked<TokenBucket>

    public init(burst: Int = UpstreamRate.defaultBurst, perSecond: Double = UpstreamRate.defaultPerSecond) {
        self.burst = burst
        self.perSecond = perSecond
        bucket = Locked(TokenBucket(ratePerSecond: perSecond, burst: Double(burst)))
    }

    /// Takes one request's worth; nil when granted, else why not.
    func take() -> UpstreamBudgetExhausted? {
        bucket.withLock { $0.take() } ? nil
            : UpstreamBudgetExhausted(reason: "this client asked for more than \(burst) upstream requests at once or "
                                          + "\(String(format: "%g", perSecond)) per second")
    }
}

/// The upstream requests one request may still cause: at most `limit`, each also taken from
/// its client's `UpstreamRate`.
public final class UpstreamAllowance: Sendable {
    private let limit: Int
    private let remaining: Locked<Int>
    private let rate: UpstreamRate
    private let purpose: String

    /// `purpose` names the request in the refusal, e.g. "this unicat.get".
    public init(limit: Int, rate: UpstreamRate, purpose: String) {
        self.limit = limit
        remaining = Locked(limit)
        self.rate = rate
        self.purpose = purpose
    }

    /// Takes one upstream request; nil when granted, else why not.
    func take() -> UpstreamBudgetExhausted? {
        let granted = remaining.withLock { remaining -> Bool in
            guard remaining > 0 else { return false }
            remaining -= 1
            return true
        }
        guard granted else { return UpstreamBudgetExhausted(reason: "\(purpose) reached its limit of \(limit) upstream requests") }
        return rate.take()
    }
}

/// An upstream request not made because a client's budget for them ran out.
public struct UpstreamBudgetExhausted: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String

    public var description: String { "not asked of Unicat: \(reason)" }
}
