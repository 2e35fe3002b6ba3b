/// Where the time each change started comes from.
enum LatencySource {
    /// The simulator's `appended_at` for each change, from its control API's `/log`.
    case simulatorLog(SimulatorLog)
    /// The generator's own sender (the mirror reference): its send time per cursor.
    case sender
    case none

    /// Source time per arrival (nil when unknown), refreshing the log first.
    mutating func startTimes(for arrivals: [ItemArrival], shared: RunShared) -> [Double?] {
        switch self {
        case .simulatorLog(var log):
            do {
                try log.refresh()
            } catch {
                EventOutput.note("cannot read the simulator's log: \(error)")
            }
            self = .simulatorLog(log)
            return arrivals.map { log.entries[$0.key]?.appendedAt }
        case .sender:
            let sendTimes = shared.sendTimes.withLock { $0 }
            return arrivals.map { arrival in
                let index = Int(arrival.key.cursor) - 1
                return arrival.key.stream == .project && sendTimes.indices.contains(index) ? sendTimes[index] : nil
            }
        case .none:
            return arrivals.map { _ in nil }
        }
    }
}
