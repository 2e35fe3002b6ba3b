import BridgeTestSupport
import BridgeTesting
import Testing
@testable import BridgeCore

/// Epochs are named from what Unicat says (the project and its latest finished restore),
/// so bridge instances that never talk to each other agree on them.
@Suite struct EpochDerivationTests {
    @Test func theNameIsTheDocumentedFunctionOfTheProjectAndTheRestore() {
        // docs/protocol.md's example project; the hash computed independently (in Python).
        let project = "661a247f-f911-4163-b4f7-2c9033c828c7"
        let first = SyncCursors(cc: 14, project: 1148)
        #expect(EpochBasis(restoreCursor: 0).epoch(project: project, startingAt: first) == "8brajz8x-r0")
        #expect(EpochBasis(restoreCursor: 0).epoch(project: project.uppercased(), startingAt: first) == "8brajz8x-r0")
        #expect(EpochBasis(restoreCursor: 4133).epoch(project: project, startingAt: first) == "8brajz8x-r36t")
        #expect(EpochBasis(restoreCursor: 4133, rewound: true).epoch(project: project, startingAt: first) == "8brajz8x-r36t-we.vw")
    }

    /// An upstream with some history on both streams.
    func upstreamWithHistory(pageSize: Int = 100) -> ScriptedUpstream {
        let upstream = ScriptedUpstream(pageSize: pageSize)
        for index in 0..<3 { upstream.insert("records", "r\(index)", ScriptedUpstream.record("r\(index)", title: "record \(index)")) }
        upstream.update("cc.users", upstream.user, ["gid": .string(upstream.user), "name": "renamed", "status": "active"])
        upstream.job("backup_project", status: "done")
        return upstream
    }

    @Test func instancesStartedAtDifferentTimesFromEmptyStatesAgree() async throws {
        let upstream = upstreamWithHistory()
        let first = try EngineHarness(upstream)
        defer { Task { await first.remove() } }
        try await first.start()
        upstream.update("records", "r1", ScriptedUpstream.record("r1", title: "later"))
        upstream.job("backup_project", status: "done")
        let second = try EngineHarness(upstream)
        defer { Task { await second.remove() } }
        try await second.start()
        #expect(first.epoch != nil)
        #expect(first.epoch == second.epoch)

        // A warm restart keeps the stored epoch.
        try await first.waitUntilCaughtUp()
        await first.stop()
        let restarted = try EngineHarness(upstream, directory: first.directory)
        try await restarted.start()
        #expect(restarted.epoch == first.epoch)
        await restarted.stop()
    }

    @Test func aRestoreSeenLiveAndOneFoundByAColdStartNameTheSameEpoch() async throws {
        let upstream = upstreamWithHistory()
        let live = try EngineHarness(upstream)
        defer { Task { await live.remove() } }
        try await live.start()
        try await live.waitUntilCaughtUp()
        let before = live.epoch

        let restore = upstream.job("restore_project", status: "done")
        upstream.rewindProject(to: 1)
        live.engine.requestCatchUp()
        let after = try await live.waitForEpoch(after: before)
        #expect(after.hasSuffix("-r" + String(restore.cursor, radix: 36)), "named by the restore's cc cursor: \(after)")

        upstream.update("records", "r0", ScriptedUpstream.record("r0", title: "after the restore"))
        let cold = try EngineHarness(upstream)
        defer { Task { await cold.remove() } }
        try await cold.start()
        #expect(cold.epoch == after)
        #expect(cold.epoch != before)
    }

    @Test func aRestartBetweenARestoreAndItsNewEpochStillStartsIt() async throws {
        let upstream = upstreamWithHistory()
        let first = try EngineHarness(upstream)
        defer { Task { await first.remove() } }
        try await first.start()
        try await first.waitUntilCaughtUp()
        let before = first.epoch
        // The new epoch's init keeps failing; the bridge stops before it succeeds.
        upstream.fail("init", status: 500, times: 1_000)
        let restore = upstream.job("restore_project", status: "done")
        first.engine.requestCatchUp()
        try await eventually(timeout: .seconds(20), "a re-init attempt") { upstream.requests("init") > 0 }
        await first.stop()
        #expect(try first.store.storedState()?.position.cursors.cc == restore.cursor - 1, "the restore is not committed in the old epoch")

        upstream.fail("init", status: 500, times: 0)
        let restarted = try EngineHarness(upstream, directory: first.directory)
        try await restarted.start()
        let after = try await restarted.waitForEpoch(after: before)
        #expect(after.hasSuffix("-r" + String(restore.cursor, radix: 36)))
        await restarted.stop()
    }

    @Test func theScanPagesAndStartsOverFromTheOldestRetainedCursor() async throws {
        let upstream = upstreamWithHistory(pageSize: 2)
        let live = try EngineHarness(upstream)
        defer { Task { await live.remove() } }
        try await live.start()
        try await live.waitUntilCaughtUp()
        // Read before the catch-up: the new epoch may start before the next line runs.
        let before = live.epoch
        let restore = upstream.job("restore_project", status: "done")
        live.engine.requestCatchUp()
        let after = try await live.waitForEpoch(after: before)
        for index in 0..<5 { upstream.update("cc.users", upstream.user, ["gid": .string(upstream.user), "name": .string("name \(index)")]) }

        // Unicat keeps the log from just before the restore: a cold start still finds it.
        upstream.pruneLog(ccThrough: restore.cursor - 1)
        let cold = try EngineHarness(upstream)
        defer { Task { await cold.remove() } }
        try await cold.start()
        #expect(cold.epoch == after)
        #expect(upstream.requestBodies("sync/get").contains { $0["cc_cursor"]?.int64Value == restore.cursor - 1 && $0["project"] == nil },
                "the scan started over from the oldest retained cursor")

        // Once the restore itself is pruned it cannot be known: that instance differs.
        upstream.pruneLog(ccThrough: restore.cursor)
        let late = try EngineHarness(upstream)
        defer { Task { await late.remove() } }
        try await late.start()
        #expect(late.epoch?.hasSuffix("-r0") == true)
    }

    @Test func cursorsGoingBackwardsWithoutARestoreStartADistinctEpoch() async throws {
        let upstream = upstreamWithHistory()
        let live = try EngineHarness(upstream)
        defer { Task { await live.remove() } }
        try await live.start()
        try await live.waitUntilCaughtUp()
        let before = live.epoch
        upstream.rewindProject(to: 1)
        live.engine.requestCatchUp(verifyCursors: true)
        let after = try await live.waitForEpoch(after: before)
        #expect(after.contains("-w"), "marked as a rewind: \(after)")

        // An instance starting afterwards cannot see the rewind (no item announces it): it
        // names the epoch from the restores alone, so the two differ and a subscriber
        // moving between them reloads.
        let cold = try EngineHarness(upstream)
        defer { Task { await cold.remove() } }
        try await cold.start()
        #expect(cold.epoch != after)
    }
}
