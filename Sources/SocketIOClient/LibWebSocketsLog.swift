import CLibWebSockets
import Foundation
import Logging
import Locking

/// Sends libwebsockets' own log lines (process-wide, for every lws context in the process,
/// plugins included) to swift-log, so the daemon's stderr has one format and one level, with
/// credentials lws may quote from request headers blanked out.
public enum LibWebSocketsLog {
    private static let destination = Locked<Logger?>(nil)

    /// Routes errors and warnings (and notices at debug level) to `logger`.
    public static func route(to logger: Logger) {
        destination.withLock { $0 = logger }
        var levels = Int32(LLL_ERR | LLL_WARN)
        if logger.logLevel <= .debug { levels |= Int32(LLL_NOTICE) }
        lws_set_log_level(levels, emitLibWebSocketsLine)
    }

    static func emit(level: Int32, line: String) {
        guard let logger = destination.withLock({ $0 }) else { return }
        let text = LogRedaction.redacted(line.trimmingCharacters(in: .whitespacesAndNewlines))
        switch level {
        case Int32(LLL_ERR): logger.error("libwebsockets: \(text)")
        case Int32(LLL_WARN): logger.warning("libwebsockets: \(text)")
        default: logger.debug("libwebsockets: \(text)")
        }
    }
}

private func emitLibWebSocketsLine(_ level: Int32, _ line: UnsafePointer<CChar>?) {
    guard let line else { return }
    LibWebSocketsLog.emit(level: level, line: String(cString: line))
}
