import BridgePluginKit
import BridgeTestSupport
import BridgeTesting
import Foundation
import Logging
import Testing
@testable import BridgeCore

/// A sync engine on its own store against a scripted upstream, recording what it commits
/// and which epochs it starts. Several harnesses on one upstream are several bridge
/// instances; a harness on another's directory is that instance restarted.
final class EngineHarness: Sendable {
    /// How often the engine tries a step whose objects could not all be fetched.
    static let refetchAttempts = 3
    let upstream: ScriptedUpstream
    let directory: TemporaryDirectory
    let store: BridgeStore
    let client: UpstreamClient
    let fetcher: ObjectFetcher
    let engine: SyncEngine
    private let batches = Locked<[CommittedBatch]>([])
    private let worker = Locked<Task<Void, Never>?>(nil)

    init(_ upstream: ScriptedUpstream, directory: TemporaryDirectory? = nil) throws {
        self.upstream = upstream
        self.directory = try directory ?? TemporaryDirectory(prefix: "engine")
        let logger = Logger(label: "engine-test")
        store = try BridgeStore(directory: self.directory.file("state").path, journalLimit: 1_000)
        client = upstream.client(logger: logger)
        fetcher = ObjectFetcher(upstream: UnicatUpstream(client: client))
        engine = SyncEngine(project: upstream.project, upstream: UnicatUpstream(client: client), fetcher: fetcher, store: store,
                            health: UpstreamHealth(feedEnabled: false, logger: logger), logger: logger,
                            refetchRetry: RetryPolicy(maxAttempts: Self.refetchAttempts, baseDelay: 0.01, maxDelay: 0.05))
        engine.onCommit { [weak self] batch in self?.batches.withLock { $0.append(batch) } }
    }

    /// Prepares (cold start or warm restart) and runs the engine's worker.
    func start() async throws {
        try await engine.prepare()
        let engine = self.engine
        worker.withLock { $0 = Task { await engine.run() } }
    }

    func stop() async {
        engine.finish()
        let task = worker.withLock { $0 }
        task?.cancel()
        await task?.value
    }

    var epoch: String? { engine.position?.epoch }

    var committed: [CommittedBatch] { batches.withLock { $0 } }

    /// The committed journal entry of `item`, once there is one.
    func waitForEntry(of item: SyncItem) async throws -> (entry: JournalEntry, batch: CommittedBatch) {
        var found: (JournalEntry, CommittedBatch)?
        try await eventually(timeout: .seconds(20), "a commit of \(item.dataType) \(item.dataKey) at \(item.cursor)") {
            found = committed.lazy.compactMap { batch in
                batch.entries.first { $0.item == item }.map { ($0, batch) }
            }.first
            return found != nil
        }
        return try #require(found)
    }

    /// Waits until the engine has applied everything the upstream logged.
    func waitUntilCaughtUp() async throws {
        engine.requestCatchUp()
        try await eventually(timeout: .seconds(20), "the engine to reach \(upstream.cursors)") {
            engine.position?.cursors == upstream.cursors
        }
    }

    /// Waits until the engine is in an epoch other than `epoch`.
    func waitForEpoch(after epoch: String?) async throws -> String {
        try await eventually(timeout: .seconds(20), "a new epoch after \(epoch ?? "none")") {
            self.epoch != nil && self.epoch != epoch
        }
        return self.epoch ?? ""
    }

    func remove() async {
        await stop()
        directory.remove()
    }
}
