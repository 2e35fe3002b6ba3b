import Foundation

/// Exponential backoff with full jitter, honouring `Retry-After`.
public struct RetryPolicy: Sendable {
    public var maxAttempts: Int
    public var baseDelay: Double
    public var maxDelay: Double
    /// The longest `Retry-After` honoured; a longer one is capped so a read fails in
    /// bounded time (the sync engine retries later without losing anything).
    public var maxRetryAfter: Double

    public init(maxAttempts: Int = 8, baseDelay: Double = 0.25, maxDelay: Double = 15, maxRetryAfter: Double = 60) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// Seconds to wait before retry number `attempt` (0-based).
    public func delay(attempt: Int, retryAfter: Double? = nil) -> Double {
        if let retryAfter { return min(max(retryAfter, 0), maxRetryAfter) }
        let ceiling = min(maxDelay, baseDelay * pow(2, Double(min(attempt, 30))))
        return Double.random(in: (ceiling / 2)...ceiling)
    }

    /// Parses `Retry-After`: delta seconds or an HTTP date.
    public static func retryAfter(_ header: String?) -> Double? {
        guard let header = header?.trimmingCharacters(in: .whitespaces), !header.isEmpty else { return nil }
        if let seconds = Double(header) { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: header).map { max(0, $0.timeIntervalSinceNow) }
    }
}
