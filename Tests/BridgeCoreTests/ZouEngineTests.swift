import BridgePluginKit
import BridgeTestSupport
import BridgeTesting
import Foundation
import Logging
import Testing
@testable import BridgeCore

/// The sync engine over Zou: every change of the event log committed once, in order, at
/// positions that step by one, each with its object as Zou serves it after the change,
/// deletes as deletes; and an epoch of the run's own.
@Suite struct ZouEngineTests {
    let zou = ScriptedZou()

    func asset(_ n: Int, name: String) -> JSONValue {
        ["id": .string("00000000-0000-4000-8000-\(String(format: "%012d", n))"), "name": .string(name), "project_id": .string(zou.project)]
    }

    @Test func theEventLogIsCommittedInOrderWithObjectsAndDeletes() async throws {
        let directory = try TemporaryDirectory(prefix: "zou-engine")
        defer { directory.remove() }
        var logger = Logger(label: "zou-engine-test")
        logger.logLevel = .critical
        let settings = BridgeConfiguration.Upstream(
            baseURL: ScriptedZou.baseURL, project: zou.project, secretSource: .value(Secret(ScriptedZou.password)), caFile: nil,
            requestTimeout: 10, omitExtendedDefinitions: false, kind: .zou, email: ScriptedZou.email)
        let upstream = try ZouUpstream(settings: settings, password: Secret(ScriptedZou.password), transport: zou, logger: logger)
        let store = try BridgeStore(directory: directory.file("state").path, journalLimit: 1_000,
                                    initDataTypes: upstream.snapshotDataTypes)
        let engine = SyncEngine(project: zou.project, upstream: upstream, fetcher: ObjectFetcher(upstream: upstream), store: store,
                                health: UpstreamHealth(feedEnabled: false, logger: logger), logger: logger)
        let batches = Locked<[CommittedBatch]>([])
        engine.onCommit { batch in batches.withLock { $0.append(batch) } }
        let kept = asset(1, name: "chair")
        zou.put("/data/assets", kept)
        try await engine.prepare()
        let first = try #require(engine.position)
        #expect(first.cursors == SyncCursors(cc: 0, project: 0))
        #expect(first.epoch.contains("-z"))
        #expect(try store.objects("assets", keys: [kept["id"]?.stringValue ?? ""]).values.first == kept)

        let worker = Task { await engine.run() }
        defer { worker.cancel() }
        let table = asset(2, name: "table")
        zou.put("/data/assets", table)
        zou.logEvent("asset:new", ["asset_id": table["id"] ?? .null, "project_id": .string(zou.project)], at: "2026-12-01T10:00:00")
        zou.put("/data/assets", asset(1, name: "armchair"))
        zou.logEvent("asset:update", ["asset_id": kept["id"] ?? .null, "project_id": .string(zou.project)], at: "2026-12-01T10:00:00")
        zou.remove("/data/assets", table["id"]?.stringValue ?? "")
        zou.logEvent("asset:delete", ["asset_id": table["id"] ?? .null, "project_id": .string(zou.project)], at: "2026-12-01T10:00:01")
        engine.requestCatchUp()
        try await eventually { batches.withLock { $0.flatMap(\.entries).count } == 3 }

        let entries = batches.withLock { $0.flatMap(\.entries) }
        #expect(entries.map(\.position.cursors.project) == [1, 2, 3])
        #expect(entries.map(\.item.action) == ["INSERT", "UPDATE", "DELETE"])
        let objects = batches.withLock { $0.reduce(into: [MirrorKey: ObjectState]()) { $0.merge($1.objects) { $1 } } }
        #expect(objects[MirrorKey("assets", kept["id"]?.stringValue ?? "")] == .present(asset(1, name: "armchair")))
        #expect(objects[MirrorKey("assets", table["id"]?.stringValue ?? "")] == .gone)
        #expect(try store.objects("assets", keys: [table["id"]?.stringValue ?? ""]).isEmpty)
    }
}
