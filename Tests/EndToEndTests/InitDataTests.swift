import BridgeCore
import BridgeTestSupport
import Foundation
import Testing

/// `unicat.init` stays what Unicat's own `/init` says, not what it said when the epoch began.
@Suite(.serialized) struct InitDataTests {
    @Test func aBackupShowsInTheInitResult() async throws {
        try await SessionFixture.with(startBridge: false) { session in
            let simulator = session.simulator
            let bridge = try BridgeProcess.start(simulator: simulator, stateDirectory: session.stateDirectory, arguments: ["--stdio"])
            do {
                try await bridge.waitUntilCaughtUp(with: simulator)
                let before = try await bridge.request("unicat.init")["result"]?["last_backed_up"]

                let auth = try await SimulatorProcess.http(method: "POST", url: "\(simulator.url)/api/p/\(simulator.project)/auth",
                                                           body: ["api_key": .string(simulator.apiKey)])
                let jwt = try #require(auth.headers["authorization"])
                let headers = ["Authorization": "Bearer \(jwt)"]
                let backup = try await SimulatorProcess.http(method: "POST", url: "\(simulator.url)/api/p/\(simulator.project)/backups/create",
                                                             body: ["created_by": "init-data-test"], headers: headers)
                #expect(backup.status == 200)
                let token = try #require(backup.json["result"]?["job.token"]?.stringValue)
                try await eventually(timeout: .seconds(60), "the backup job to finish") {
                    try await simulator.control("/object/jobs/\(token)")["status"] == "done"
                }
                try await bridge.waitUntilCaughtUp(with: simulator)

                let truth = try await SimulatorProcess.http(method: "POST", url: "\(simulator.url)/api/p/\(simulator.project)/init",
                                                            body: [:], headers: headers)
                let expected = try #require(truth.json["result"]?["last_backed_up"])
                #expect(expected != before, "the backup changed Unicat's last_backed_up")
                #expect(try await bridge.request("unicat.init")["result"]?["last_backed_up"] == expected)
            } catch {
                await bridge.stop()
                throw error
            }
            await bridge.stop()
        }
    }
}
