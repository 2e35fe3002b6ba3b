import Foundation
import Logging
import Synchronization
import Locking

/// The order of Zou's changes, which Zou's event stream does not give: its events carry no
/// id, cursor or time, and nothing is replayed after a drop. The bridge numbers changes
/// itself (the `cursor` of the project stream, from 0 in each epoch) and hands them to the
/// sync engine through `changes(after:)`.
///
/// - With the event log (`GET /data/events/last`, for managers and admins), the log is
///   the authority: a live event, a reconnect or a safety poll reads the log after the
///   newest row seen, and each row (deduplicated by its id) becomes the next change, in
///   the log's order. Events the stream lost (an event stream or Redis restart) are in the
///   log, so nothing is skipped.
/// - Without it (`live`), live events are numbered as they arrive; after a drop the feed
///   starts a new epoch, since what happened meanwhile cannot be known.
///
/// Numbered changes are held until the engine asks for changes after them (it then has
/// committed them): the journal, not this log, serves subscribers resuming. With the event
/// log, an epoch outlives the bridge: the snapshot's `result` records where the log stood
/// (`event_log_watermark`), each relayed row's id and time are in its journal entry, and a
/// restart reads the log on from there (`resume`).
final class ZouChangeLog: Sendable {
    enum Mode: Sendable { case eventLog, live }

    private struct State {
        var mode: Mode = .eventLog
        var held: [SyncItem] = []
        var lastCursor: Int64 = 0
        /// Changes up to here were handed over and dropped: asking for them again fails.
        var droppedThrough: Int64 = 0
        /// `created_at` of the newest log row seen (whole seconds, as Zou writes it).
        var newestRow: String?
        /// Ids of the rows seen near `newestRow`, with their `created_at`.
        var seenRows: [String: String] = [:]
    }

    /// Log rows are re-read this many seconds before the newest row seen: Zou writes their
    /// time in whole seconds, and a row may be committed a little after a later one.
    static let overlapSeconds: Double = 3
    static let pageLimit = 1000

    private let session: ZouSession
    private let project: String
    private let logger: Logger
    private let state = Locked(State())

    init(session: ZouSession, project: String, logger: Logger) {
        self.session = session
        self.project = project
        self.logger = logger
    }

    var mode: Mode { state.withLock { $0.mode } }

    /// A new epoch: numbering starts again from 0, and (with the event log) rows up to now
    /// count as seen, since the snapshot taken next reflects them.
    func startEpoch() async throws {
        var rows: [JSONValue]?
        do {
            rows = try await readLog(after: nil, newestOnly: true)
        } catch let error as ZouError {
            guard case .refused(_, 403, _) = error else { throw error }
            logger.warning("this Zou account may not read the event log (/data/events/last): changes lost while the event stream is away cannot be recovered, and each reconnect starts a new epoch")
        }
        var seen: [String: String] = [:]
        var newest: String?
        if let rows, let latest = rows.last?["created_at"]?.stringValue {
            newest = latest
            for row in try await readLog(after: Self.shifted(latest, by: -Self.overlapSeconds), newestOnly: false) {
                if let id = row["id"]?.stringValue, let at = row["created_at"]?.stringValue { seen[id] = at }
            }
        }
        state.withLock { state in
            state = State()
            state.mode = rows == nil ? .live : .eventLog
            state.newestRow = newest
            state.seenRows = seen
        }
    }

    /// Where the event log stood when the epoch started, for the snapshot's `result` (nil
    /// without the log): the newest row's time and the ids of the rows read near it.
    var watermark: JSONValue? {
        state.withLock { state in
            guard state.mode == .eventLog else { return nil }
            return ["newest": state.newestRow.map { .string($0) } ?? .null,
                    "seen": .array(state.seenRows.keys.sorted().map { .string($0) })]
        }
    }

    /// Continues a stored epoch: numbering from `cursor`, reading the log after the newest
    /// row the epoch saw (its `watermark`, or a relayed row in `recent`, whichever is later).
    /// False when that cannot be trusted: the log is not readable now, or no longer reaches
    /// back there (Zou's clean-up deletes the oldest rows first, so a row at or before the
    /// watermark still there means none after it was deleted).
    func resume(cursor: Int64, watermark: JSONValue, recent: [SyncItem]) async throws -> Bool {
        guard mode == .eventLog else { return false }
        var seen: [String: String] = [:]
        var newest = watermark["newest"]?.stringValue
        for item in recent {
            guard let id = item.data?["log"]?["id"]?.stringValue, let at = item.data?["log"]?["created_at"]?.stringValue else { continue }
            seen[id] = at
            if newest.map({ at > $0 }) ?? true { newest = at }
        }
        if let newest {
            let reaching = try await session.get("/data/events/last?limit=1&before=\(Self.shifted(newest, by: 1))").arrayValue ?? []
            guard !reaching.isEmpty else { return false }
            for id in watermark["seen"]?.arrayValue?.compactMap(\.stringValue) ?? [] where seen[id] == nil { seen[id] = newest }
        }
        state.withLock { state in
            state.lastCursor = cursor
            state.droppedThrough = cursor
            state.held = []
            state.newestRow = newest
            state.seenRows = seen
        }
        return true
    }

    /// A live event: numbered at once without the event log; with it, only a trigger.
    /// Returns whether the engine should catch up.
    func received(event name: String, payload: JSONValue) -> Bool {
        state.withLock { state in
            guard state.mode == .live else { return true }
            guard let item = ZouModel.change(event: name, payload: payload, project: project, cursor: state.lastCursor + 1) else {
                return false
            }
            state.lastCursor = item.cursor
            state.held.append(item)
            return true
        }
    }

    /// The changes after `cursors`: with the event log, the rows written since the last
    /// read first. Throws `ChangesUnavailable` for changes already handed over.
    func changes(after cursors: SyncCursors) async throws -> (items: [SyncItem], more: Bool) {
        let after = cursors.project
        let (mode, newest, dropped) = state.withLock { ($0.mode, $0.newestRow, $0.droppedThrough) }
        guard after >= dropped else {
            throw ChangesUnavailable("Zou keeps no log the bridge can number alike again; changes after \(after) are gone from this instance")
        }
        if mode == .eventLog {
            let rows = try await readLog(after: newest.map { Self.shifted($0, by: -Self.overlapSeconds) }, newestOnly: false)
            append(rows)
        }
        return state.withLock { state in
            state.held.removeAll { $0.cursor <= after }
            state.droppedThrough = max(state.droppedThrough, after)
            return (state.held, false)
        }
    }

    /// Numbers the rows not seen before, in the log's order.
    private func append(_ rows: [JSONValue]) {
        state.withLock { state in
            for row in rows {
                guard let id = row["id"]?.stringValue, let at = row["created_at"]?.stringValue, state.seenRows[id] == nil else { continue }
                state.seenRows[id] = at
                if state.newestRow.map({ at > $0 }) ?? true { state.newestRow = at }
                guard let name = row["name"]?.stringValue,
                      let item = ZouModel.change(event: name, payload: row["data"] ?? .object([:]), project: project,
                                                 cursor: state.lastCursor + 1, logRow: (id, at))
                else { continue }
                state.lastCursor = item.cursor
                state.held.append(item)
            }
            if let newest = state.newestRow {
                let horizon = Self.shifted(newest, by: -2 * Self.overlapSeconds)
                state.seenRows = state.seenRows.filter { $0.value >= horizon }
            }
        }
    }

    /// Rows of the event log after `after` (nil: from the start), oldest first. Zou answers
    /// newest first, at most `pageLimit` a page; older pages follow `cursor_event_id`.
    private func readLog(after: String?, newestOnly: Bool) async throws -> [JSONValue] {
        var rows: [JSONValue] = []
        var older: String?
        while true {
            var query = ["limit=\(newestOnly ? 1 : Self.pageLimit)"]
            if let after { query.append("after=\(after)") }
            if let older { query.append("cursor_event_id=\(older)") }
            let page = try await session.get("/data/events/last?" + query.joined(separator: "&")).arrayValue ?? []
            rows += page
            guard !newestOnly, page.count == Self.pageLimit, let oldest = page.last?["id"]?.stringValue else { break }
            older = oldest
        }
        return rows.reversed()
    }

    /// `created_at` text (`2026-12-01T11:14:40`, UTC) moved by `seconds`.
    static func shifted(_ time: String, by seconds: Double) -> String {
        let format = Date.ISO8601FormatStyle()
        guard let date = try? format.parse(String(time.prefix(19)) + "Z") else { return time }
        return String(format.format(date.addingTimeInterval(seconds)).prefix(19))
    }
}
