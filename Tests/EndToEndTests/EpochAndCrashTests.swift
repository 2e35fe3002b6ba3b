import BridgeCore
import BridgeTestSupport
import Foundation
import Testing

@Suite(.serialized) struct EpochAndCrashTests {
    @Test func restoreStartsANewEpochWithAFreshMirror() async throws {
        try await SessionFixture.with { session in
            let bridge = try session.requireBridge()
            try await session.change(5, action: "INSERT")
            try await bridge.waitUntilCaughtUp(with: session.simulator)
            let before = try bridge.store().storedState()?.position.epoch
            try await session.simulator.control("/restore", [:])
            try await bridge.waitForLog("restore_project job finished")
            try await bridge.waitUntilCaughtUp(with: session.simulator)
            let store = try bridge.store()
            let after = try #require(try store.storedState())
            #expect(after.position.epoch != before)
            // The mirror equals a fresh init.
            let auth = try await SimulatorProcess.http(method: "POST", url: "\(session.simulator.url)/api/p/\(session.simulator.project)/auth",
                                                       body: ["api_key": .string(session.simulator.apiKey)])
            for dataType in ["definitions", "classes", "fields", "layouts", "queries"] {
                #expect(try store.objects(dataType) == (auth.json["data"]?[dataType]?.objectValue ?? [:]), "\(dataType)")
            }
            #expect(try store.objects("records").isEmpty, "records fetched before the restore are gone")
            // Changes after the restore flow into the new epoch's journal.
            try await session.change(3)
            try await bridge.waitUntilCaughtUp(with: session.simulator)
            #expect(try await Truth.journalDifferences(store, session.simulator) == [])
        }
    }

    @Test func aFailingReinitAfterARestoreIsRetriedUntilTheNewEpochStarts() async throws {
        try await SessionFixture.with { session in
            let bridge = try session.requireBridge()
            let before = try bridge.store().storedState()?.position.epoch
            // More failures than one call's retries: the first re-init attempt fails as a whole.
            try await session.simulator.control("/faults", ["match": "/api/p/{gid}/init", "status": 500, "count": 12])
            try await session.simulator.control("/restore", [:])
            try await bridge.waitForLog("sync step failed", timeout: .seconds(120))
            try await bridge.waitForLog("started (restore_project job finished)", timeout: .seconds(120))
            try await session.change(2)
            try await bridge.waitUntilCaughtUp(with: session.simulator)
            let store = try bridge.store()
            #expect(try store.storedState()?.position.epoch != before)
            #expect(try await Truth.journalDifferences(store, session.simulator) == [])
        }
    }

    @Test func killedAtRandomMomentsResumesWithoutGapOrDuplicate() async throws {
        try await SessionFixture.with(simulatorArguments: ["--activity", "40"]) { session in
            for round in 0..<4 {
                let bridge = try session.requireBridge()
                try await Task.sleep(for: .milliseconds(Int.random(in: 200...1500)))
                await bridge.kill9()
                // Some changes also happen while the bridge is down.
                try await session.change(Int.random(in: 1...30), action: round % 2 == 0 ? "INSERT" : "UPDATE")
                try await session.startBridge(waitForCatchUp: false)
                try await session.requireBridge().waitForLog("warm restart")
            }
            try await session.simulator.control("/settings", ["activity": 0])
            let bridge = try session.requireBridge()
            try await bridge.waitUntilCaughtUp(with: session.simulator)
            let store = try bridge.store()
            #expect(try await Truth.journalDifferences(store, session.simulator) == [])
            #expect(try await Truth.mirrorDifferences(store, session.simulator) == [])
        }
    }
}
