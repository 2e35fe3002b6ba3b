import ArgumentParser
import Foundation

/// `--ttl`: seconds, or a number with a unit (s, m, h, d).
struct TokenLifetime: ExpressibleByArgument {
    /// A year: tokens are for sessions and services, not forever.
    static let maximumSeconds: Int64 = 366 * 86_400

    let seconds: Int64

    init(seconds: Int64) { self.seconds = seconds }

    init?(argument: String) {
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400]
        var digits = Substring(argument)
        var unit: Int64 = 1
        if let last = digits.last, let factor = units[last] {
            unit = factor
            digits = digits.dropLast()
        }
        guard let count = Int64(digits), count > 0, count <= Self.maximumSeconds / unit else { return nil }
        seconds = count * unit
    }

    static var defaultCompletionKind: CompletionKind { .default }

    /// "2026-12-01 12:05:00 UTC (in 5 min)" or, for a past time, "… (3 min ago)".
    static func describe(expiry: Int64, now: Int64 = Int64(Date().timeIntervalSince1970)) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss 'UTC'"
        let date = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(expiry)))
        let distance = span(abs(expiry - now))
        return expiry >= now ? "\(date) (in \(distance))" : "\(date) (\(distance) ago)"
    }

    private static func span(_ seconds: Int64) -> String {
        switch seconds {
        case ..<120: "\(seconds) s"
        case ..<7_200: "\(seconds / 60) min"
        case ..<172_800: "\(seconds / 3_600) h"
        default: "\(seconds / 86_400) days"
        }
    }
}
