#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import BridgeCore
import BridgePluginKit

/// Progress of `tail` while the bridge replays a backlog (a resume from an older
/// position), on stderr: a live counter on a terminal, else a line every `every` changes.
/// Shown only when the backlog is at least `every` cursors long.
final class CatchUpProgress {
    private static let redrawSeconds = 0.1

    private let every: Int
    private let style: TerminalStyle
    private let terminal = isatty(2) == 1
    private var active = false
    private var start: Int64 = 0
    private var total: Int64 = 0
    private var received = 0
    private var nextReport = 0
    private var nextDraw = MonotonicDeadline.now
    private var drawn = false

    init(every: Int, style: TerminalStyle) {
        self.every = every
        self.style = style
    }

    /// A subscription started: from `from`, with the bridge at `head`.
    func begin(from: JSONValue?, head: JSONValue?, recovered: Bool) {
        active = false
        guard recovered, let from, let head, from["epoch"] == head["epoch"] else { return }
        start = Self.cursors(from)
        total = Self.cursors(head) - start
        guard total >= Int64(every) else { return }
        active = true
        received = 0
        nextReport = every
        say("catching up \(total) cursors of changes since \(PositionText.format(from))…")
    }

    /// A `sync.changes` batch arrived; `recovered` batches are the backlog.
    func batch(count: Int, position: JSONValue?, recovered: Bool) {
        guard active else { return }
        received += count
        let done = position.map { Self.cursors($0) - start } ?? 0
        if !recovered || done >= total {
            finish()
        } else if terminal {
            if nextDraw.hasPassed {
                nextDraw = .after(seconds: Self.redrawSeconds)
                draw("catching up: \(received) changes, \(done * 100 / max(total, 1)) % (\(done) of \(total) cursors)")
            }
        } else if received >= nextReport {
            nextReport = received + every
            say("catching up: \(received) changes so far (\(done) of \(total) cursors)")
        }
    }

    /// Clears the terminal counter before something else is written.
    func suspend() {
        guard drawn else { return }
        Diagnostics.write("\r\u{1B}[K")
        drawn = false
    }

    func finish() {
        guard active else { return }
        active = false
        suspend()
        say("caught up: \(received) changes replayed")
    }

    private func say(_ text: String) {
        suspend()
        Diagnostics.write(style.paint("unicat-bridge: \(text)", .dim) + "\n")
    }

    private func draw(_ text: String) {
        Diagnostics.write("\r\u{1B}[K" + style.paint(text, .dim))
        drawn = true
    }

    private static func cursors(_ position: JSONValue) -> Int64 {
        (position["cc_cursor"]?.int64Value ?? 0) + (position["cursor"]?.int64Value ?? 0)
    }
}
