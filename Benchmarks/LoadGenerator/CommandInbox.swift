import Foundation
import Synchronization

/// The driver's commands, one per line on stdin, read on their own thread:
/// `report LABEL`, `wait CURSOR TIMEOUT`, `drop`, `resume`, `send`, `stop`. EOF means stop.
final class CommandInbox: Sendable {
    private struct State {
        var lines: [String] = []
        var ended = false
    }

    private let state = Mutex(State())

    func startReading() {
        Thread.detachNewThread { [self] in
            while let line = readLine() {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if !trimmed.isEmpty { state.withLock { $0.lines.append(trimmed) } }
            }
            state.withLock { $0.ended = true }
        }
    }

    /// Commands received since the last call; "stop" once stdin has ended.
    func take() -> [String] {
        state.withLock { state in
            var lines = state.lines
            state.lines = []
            if state.ended, lines.isEmpty { lines = ["stop"] }
            return lines
        }
    }
}
