import BridgeCore
import BridgeTestSupport
import Foundation
import Testing

/// The real bridge binary against the simulator: start, initial data, live changes,
/// restart.
@Suite(.serialized) struct SessionLifecycleTests {
    /// A safety poll so slow that only the socket feed can deliver changes in time.
    static let feedOnly = "sync:\n  safety_poll_seconds: 3600\n"

    @Test func coldStartMirrorsTheInitAndChangesArriveThroughTheFeed() async throws {
        try await SessionFixture.with(configYAML: Self.feedOnly) { session in
            let bridge = try session.requireBridge()
            let store = try bridge.store()
            // The mirror holds exactly the init data the simulator serves.
            let auth = try await SimulatorProcess.http(method: "POST", url: "\(session.simulator.url)/api/p/\(session.simulator.project)/auth",
                                                       body: ["api_key": .string(session.simulator.apiKey)])
            for dataType in ["definitions", "classes", "fields", "layouts", "queries", "cc.users", "cc.projects"] {
                let expected = auth.json["data"]?[dataType]?.objectValue ?? [:]
                #expect(!expected.isEmpty, "init has \(dataType)")
                #expect(try store.objects(dataType) == expected, "mirror \(dataType)")
            }
            try await bridge.waitForLog("sync feed connected")

            // New records (fetched on INSERT) and updates reach the journal via the feed.
            try await session.change(3, action: "INSERT")
            try await session.change(5)
            try await bridge.waitUntilCaughtUp(with: session.simulator, timeout: .seconds(30))
            #expect(try await Truth.journalDifferences(store, session.simulator) == [])
            #expect(try store.objects("records").count >= 3)
            #expect(try await Truth.mirrorDifferences(store, session.simulator) == [])
            #expect(await session.stopBridge() == 0)
        }
    }

    @Test func warmRestartResumesFromStoredCursorsWithoutAFullInit() async throws {
        try await SessionFixture.with { session in
            try await session.change(4, action: "INSERT")
            try await session.requireBridge().waitUntilCaughtUp(with: session.simulator)
            let epoch = try session.requireBridge().store().storedState()?.position.epoch
            #expect(await session.stopBridge() == 0)

            try await session.change(20)
            try await session.simulator.control("/stats/reset", [:])
            let bridge = try await session.startBridge()
            try await bridge.waitForLog("warm restart")
            let store = try bridge.store()
            #expect(try store.storedState()?.position.epoch == epoch)
            #expect(try await Truth.journalDifferences(store, session.simulator) == [])
            let requests = try await session.simulator.control("/stats")["requests"]?.objectValue ?? [:]
            #expect(requests.keys.contains { $0.hasSuffix("/init") } == false, "no full init on a warm restart: \(requests)")
        }
    }

    @Test func noSecretInAnyOutput() async throws {
        try await SessionFixture.with { session in
            try await session.change(2)
            let bridge = try session.requireBridge()
            try await bridge.waitUntilCaughtUp(with: session.simulator)
            await session.stopBridge()
            #expect(!bridge.log.contains(session.simulator.apiKey))
            #expect(!bridge.log.contains("eyJ"), "no JWT in the log")
        }
    }
}
