import BridgeTestSupport
import Foundation
import BridgeTesting
import Logging
import Testing
@testable import BridgeCore

/// How the sync engine fetches the objects that changes name: never an answer older than
/// the change, and a key Unicat refuses costs only that key.
@Suite struct RefetchTests {
    let old = ScriptedUpstream.record("r1", title: "old")
    let new = ScriptedUpstream.record("r1", title: "new")

    @Test func aRefetchDoesNotJoinAFetchThatStartedBeforeTheChange() async throws {
        let upstream = ScriptedUpstream()
        upstream.put("records", "r1", old)
        let harness = try EngineHarness(upstream)
        defer { Task { await harness.remove() } }
        try await harness.start()
        harness.engine.setObjectInterest(["records"])
        try await harness.waitUntilCaughtUp()

        // A subscriber's unicat.get is in flight with the state from before the change.
        let hold = upstream.hold("records/get")
        let early = Task { try await harness.fetcher.fetch("records", keys: ["r1"]) }
        await hold.arrived()
        let change = upstream.update("records", "r1", new)
        harness.engine.push([change])

        // The change commits with its own, later fetch, while the early one is still held.
        let committed = try await harness.waitForEntry(of: change)
        hold.release()
        #expect(committed.batch.objects[MirrorKey("records", "r1")] == .present(new))
        #expect(try harness.store.objects("records", keys: ["r1"])["r1"] == new)
        #expect(try await early.value["r1"]?.state == .present(old), "the early fetch answers as of its start")
    }

    @Test func aPluralFetchReportsEveryKeyOnItsOwn() async throws {
        let upstream = ScriptedUpstream()
        let keys = (0..<20).map { String(format: "r%02d", $0) }
        for key in keys where key != "r17" { upstream.put("records", key, ScriptedUpstream.record(key, title: key)) }
        upstream.failKey("records", "r03", status: 403)
        let fetcher = ObjectFetcher(upstream: UnicatUpstream(client: upstream.client()))
        let batch = try await fetcher.fetch("records", keys: keys)
        for key in keys where key != "r17" && key != "r03" {
            #expect(batch[key]?.state == .present(ScriptedUpstream.record(key, title: key)), "\(key)")
        }
        #expect(batch["r17"]?.state == .gone)
        guard case .failed(let error)? = batch["r03"] else {
            Issue.record("r03 is not reported as failed: \(String(describing: batch["r03"]))")
            return
        }
        #expect((error as? UnicatError)?.httpStatus == 403)
        #expect(upstream.requests("records/get") < keys.count, "the refused and the unknown key are found in fewer requests than one per key")
    }

    @Test func aRefusedRecordDoesNotStopOtherChanges() async throws {
        let upstream = ScriptedUpstream()
        for key in ["r1", "r2"] { upstream.put("records", key, ScriptedUpstream.record(key, title: "v1")) }
        let harness = try EngineHarness(upstream)
        defer { Task { await harness.remove() } }
        try await harness.start()
        harness.engine.setObjectInterest(["records"])
        try await harness.waitUntilCaughtUp()
        // The mirror holds r1 (soon a stale copy).
        let fetched = upstream.update("records", "r1", ScriptedUpstream.record("r1", title: "v2"))
        harness.engine.push([fetched])
        _ = try await harness.waitForEntry(of: fetched)
        #expect(try harness.store.heldKeys("records", among: ["r1"]) == ["r1"])

        upstream.failKey("records", "r1", status: 403)
        let refused = upstream.update("records", "r1", ScriptedUpstream.record("r1", title: "v3"))
        let other = upstream.update("records", "r2", ScriptedUpstream.record("r2", title: "v3"))
        let requestsBefore = upstream.requests("records/get")
        harness.engine.requestCatchUp()
        let (entry, batch) = try await harness.waitForEntry(of: refused)
        #expect(batch.entries.map(\.item).contains(other), "committed together, after the bounded retries")
        #expect(batch.objects[MirrorKey("records", "r2")] == .present(ScriptedUpstream.record("r2", title: "v3")))
        guard case .failed(let message)? = batch.objects[MirrorKey("records", "r1")] else {
            Issue.record("r1 is not failed in the batch: \(String(describing: batch.objects[MirrorKey("records", "r1")]))")
            return
        }
        #expect(message.contains("403"))
        #expect(entry.objectError == message)
        #expect(try harness.store.journal().first { $0.item == refused }?.objectError == message, "journaled with the error")
        #expect(try harness.store.heldKeys("records", among: ["r1", "r2"]) == ["r2"], "no stale copy of r1 is served")
        #expect(harness.engine.objectFetchFailures == 1)
        // One request naming r1 per attempt: the refusal names it (its info), so the other
        // key is asked again without it, and r1 alone is never asked.
        let attempts = upstream.requestBodies("records/get").dropFirst(requestsBefore)
            .filter { $0["records"]?.arrayValue?.contains("r1") == true }.count
        #expect(attempts == EngineHarness.refetchAttempts)

        // Sync goes on.
        let later = upstream.update("records", "r2", ScriptedUpstream.record("r2", title: "v4"))
        harness.engine.push([later])
        #expect(try await harness.waitForEntry(of: later).entry.objectError == nil)
    }
}
