/// Percentiles and a coarse histogram of latencies (milliseconds).
struct LatencySummary: Codable, Sendable {
    /// Upper bucket edges in ms; the last bucket is open-ended.
    static let bucketEdges: [Double] = [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000]

    var count: Int
    var p50: Double?
    var p90: Double?
    var p99: Double?
    var p999: Double?
    var max: Double?
    var mean: Double?
    /// Counts per bucket of `bucketEdges` plus one for everything above the last edge.
    var histogram: [Int]

    init(milliseconds values: [Double]) {
        count = values.count
        histogram = Array(repeating: 0, count: Self.bucketEdges.count + 1)
        guard !values.isEmpty else { return }
        let sorted = values.sorted()
        func percentile(_ fraction: Double) -> Double {
            let rank = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
            return sorted[Swift.max(0, Swift.min(sorted.count - 1, rank))]
        }
        p50 = percentile(0.5)
        p90 = percentile(0.9)
        p99 = percentile(0.99)
        p999 = percentile(0.999)
        max = sorted.last
        mean = sorted.reduce(0, +) / Double(sorted.count)
        var bucket = 0
        for value in sorted {
            while bucket < Self.bucketEdges.count, value > Self.bucketEdges[bucket] { bucket += 1 }
            histogram[bucket] += 1
        }
    }
}

/// Latency per second of arrival, to see a percentile move over a run.
struct LatencyTimelinePoint: Codable, Sendable {
    var second: Int
    var count: Int
    var p50: Double?
    var p99: Double?
}
