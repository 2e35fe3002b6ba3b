import BridgeCore
import BridgeTestSupport
import Foundation
import Testing

/// Bridge instances that share nothing but the Unicat project agree on the epoch, before
/// and after a restore, so a subscriber can move between them.
@Suite(.serialized) struct EpochAgreementTests {
    @Test func twoBridgesWithSeparateStatesReportTheSameEpochBeforeAndAfterARestore() async throws {
        try await SessionFixture.with(startBridge: false) { session in
            let first = try BridgeProcess.start(simulator: session.simulator, stateDirectory: session.directory.file("state-a"),
                                                arguments: ["--stdio"])
            var second: BridgeProcess?
            do {
                try await first.waitUntilCaughtUp(with: session.simulator)
                // The second starts later, from an empty state directory, after more changes.
                try await session.change(3, action: "INSERT")
                let started = try BridgeProcess.start(simulator: session.simulator, stateDirectory: session.directory.file("state-b"),
                                                      arguments: ["--stdio"])
                second = started
                try await started.waitUntilCaughtUp(with: session.simulator)
                try await first.waitUntilCaughtUp(with: session.simulator)
                let before = try #require(try await first.request("bridge.status")["position"]?["epoch"]?.stringValue)
                #expect(try await started.request("bridge.status")["position"]?["epoch"]?.stringValue == before)
                #expect(try await started.request("initialize")["position"]?["epoch"]?.stringValue == before)

                try await session.simulator.control("/restore", [:])
                for bridge in [first, started] {
                    try await bridge.waitForLog("started (restore_project job finished)", timeout: .seconds(120))
                    try await bridge.waitUntilCaughtUp(with: session.simulator)
                }
                let after = try #require(try await first.request("initialize")["position"]?["epoch"]?.stringValue)
                #expect(after != before)
                #expect(try await started.request("initialize")["position"]?["epoch"]?.stringValue == after)
                #expect(try await started.request("bridge.status")["position"]?["epoch"]?.stringValue == after)
            } catch {
                await first.stop()
                await second?.stop()
                throw error
            }
            await first.stop()
            await second?.stop()
        }
    }
}
