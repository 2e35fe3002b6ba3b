import BridgeTesting
import Foundation
import Logging
import Testing
@testable import BridgeCore

/// How the bridge numbers Zou's changes: from the event log, once each, in the log's
/// order, although Zou writes whole seconds and is re-read with an overlap; without the
/// log, live events as they come; changes handed over are not handed out again.
@Suite struct ZouChangeLogTests {
    let zou = ScriptedZou()
    var project: String { zou.project }

    func changeLog() -> ZouChangeLog {
        ZouChangeLog(session: zou.session(), project: project, logger: ScriptedZou.quietLogger)
    }

    func asset(_ n: Int) -> String { "00000000-0000-4000-8000-\(String(format: "%012d", n))" }

    @discardableResult
    func assetEvent(_ name: String, _ n: Int, at time: String) -> ScriptedZou.LogRow {
        zou.logEvent(name, ["asset_id": .string(asset(n)), "project_id": .string(project)], at: time)
    }

    @Test func rowsAreRelayedOnceInTheLogsOrderDespiteTheOverlap() async throws {
        assetEvent("asset:new", 1, at: "2026-12-01T10:00:00")
        let log = changeLog()
        try await log.startEpoch()
        // Rows before the epoch are in its snapshot; these two share the newest second.
        assetEvent("asset:update", 2, at: "2026-12-01T10:00:00")
        assetEvent("asset:new", 3, at: "2026-12-01T10:00:01")
        var (items, _) = try await log.changes(after: SyncCursors(cc: 0, project: 0))
        #expect(items.map(\.dataKey) == [asset(2), asset(3)])
        #expect(items.map(\.cursor) == [1, 2])
        #expect(items.map(\.action) == ["UPDATE", "INSERT"])
        assetEvent("asset:delete", 3, at: "2026-12-01T10:00:01")
        (items, _) = try await log.changes(after: SyncCursors(cc: 0, project: 2))
        #expect(items.map(\.dataKey) == [asset(3)])
        #expect(items.map(\.cursor) == [3])
        #expect(items.first?.action == "DELETE")
        (items, _) = try await log.changes(after: SyncCursors(cc: 0, project: 3))
        #expect(items.isEmpty)
    }

    @Test func aRowCommittedAfterALaterOneIsStillRelayedOnce() async throws {
        let log = changeLog()
        try await log.startEpoch()
        assetEvent("asset:new", 1, at: "2026-12-01T10:00:05")
        _ = try await log.changes(after: SyncCursors(cc: 0, project: 0))
        // Written with an earlier time, visible only now (its transaction was slower).
        assetEvent("asset:new", 2, at: "2026-12-01T10:00:04")
        let (items, _) = try await log.changes(after: SyncCursors(cc: 0, project: 1))
        #expect(items.map(\.dataKey) == [asset(2)])
        #expect(items.map(\.cursor) == [2])
    }

    @Test func otherProductionsAndOtherModelsAreNotRelayed() async throws {
        let log = changeLog()
        try await log.startEpoch()
        zou.logEvent("asset:new", ["asset_id": .string(asset(1)), "project_id": "99999999-0000-4000-8000-000000000000"],
                     at: "2026-12-01T10:00:00")
        zou.logEvent("news:new", ["news_id": .string(asset(2)), "project_id": .string(project)], at: "2026-12-01T10:00:00")
        zou.logEvent("person:update", ["person_id": .string(asset(3))], at: "2026-12-01T10:00:01")
        let (items, _) = try await log.changes(after: SyncCursors(cc: 0, project: 0))
        #expect(items.map(\.dataType) == ["persons"])
    }

    @Test func manyRowsAreReadOverSeveralPagesInOrder() async throws {
        let log = changeLog()
        try await log.startEpoch()
        let count = ZouChangeLog.pageLimit + 5
        for n in 1...count { assetEvent("asset:update", n, at: "2026-12-01T10:\(String(format: "%02d", n / 60 % 60)):\(String(format: "%02d", n % 60))") }
        let (items, _) = try await log.changes(after: SyncCursors(cc: 0, project: 0))
        #expect(items.count == count)
        #expect(items.map(\.cursor) == Array(1...Int64(count)))
    }

    @Test func changesHandedOverAreNotHandedOutAgain() async throws {
        let log = changeLog()
        try await log.startEpoch()
        assetEvent("asset:new", 1, at: "2026-12-01T10:00:00")
        assetEvent("asset:new", 2, at: "2026-12-01T10:00:00")
        _ = try await log.changes(after: SyncCursors(cc: 0, project: 0))
        _ = try await log.changes(after: SyncCursors(cc: 0, project: 2))
        await #expect(throws: ChangesUnavailable.self) { try await log.changes(after: SyncCursors(cc: 0, project: 1)) }
    }

    @Test func aStoredEpochContinuesAfterTheRowsItRelayed() async throws {
        assetEvent("asset:new", 1, at: "2026-12-01T10:00:00")
        let before = changeLog()
        try await before.startEpoch()
        let watermark = try #require(before.watermark)
        assetEvent("asset:update", 1, at: "2026-12-01T10:00:00")
        let (relayed, _) = try await before.changes(after: SyncCursors(cc: 0, project: 0))
        #expect(relayed.map(\.cursor) == [1])
        // The bridge stops; meanwhile Zou goes on. A new process starts with the journal.
        assetEvent("asset:new", 2, at: "2026-12-01T10:00:01")
        let after = changeLog()
        try await after.startEpoch()
        #expect(try await after.resume(cursor: 1, watermark: watermark, recent: relayed))
        let (items, _) = try await after.changes(after: SyncCursors(cc: 0, project: 1))
        #expect(items.map(\.dataKey) == [asset(2)])
        #expect(items.map(\.cursor) == [2])
    }

    @Test func aStoredEpochIsNotContinuedWhenTheLogNoLongerReachesBack() async throws {
        assetEvent("asset:new", 1, at: "2026-12-01T10:00:00")
        let before = changeLog()
        try await before.startEpoch()
        let watermark = try #require(before.watermark)
        assetEvent("asset:new", 2, at: "2026-12-01T10:10:00")
        zou.deleteLogRows(before: "2026-12-01T10:05:00")
        let after = changeLog()
        try await after.startEpoch()
        #expect(try await after.resume(cursor: 0, watermark: watermark, recent: []) == false)
    }

    @Test func withoutTheEventLogLiveEventsAreNumberedAsTheyCome() async throws {
        zou.setLogReadable(false)
        let log = changeLog()
        try await log.startEpoch()
        #expect(log.mode == .live)
        #expect(log.received(event: "task:status-changed", payload: ["task_id": .string(asset(7)), "project_id": .string(project)]))
        #expect(!log.received(event: "chat:new", payload: ["project_id": .string(project)]))
        let (items, _) = try await log.changes(after: SyncCursors(cc: 0, project: 0))
        #expect(items.map(\.dataType) == ["tasks"])
        #expect(items.first?.data?["event"] == "task:status-changed")
        #expect(!zou.requests.contains("GET /data/events/last") || zou.requests.filter { $0 == "GET /data/events/last" }.count == 1)
    }
}
