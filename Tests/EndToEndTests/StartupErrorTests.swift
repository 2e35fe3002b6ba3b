import BridgeCore
import BridgeTestSupport
import Foundation
import Testing

/// Wrong settings and an unusable upstream: a precise message, the documented exit status,
/// never a crash, never a secret.
@Suite struct StartupErrorTests {
    @Test func wrongAPIKeyExitsWithStatus3() async throws {
        try await SessionFixture.with(startBridge: false) { session in
            let wrongKey = "wrong-key-\(UUID().uuidString)"
            let bridge = try BridgeProcess.start(simulator: session.simulator, stateDirectory: session.stateDirectory, apiKey: wrongKey)
            let status = await bridge.child.waitForExit(timeout: .seconds(60))
            #expect(status == 3)
            #expect(bridge.log.contains("Unicat rejected the API key"))
            #expect(!bridge.log.contains(wrongKey))
        }
    }

    /// A bridge pointed at a port nobody listens on.
    func runAgainstUnreachableUnicat(_ directory: TemporaryDirectory) throws -> BridgeProcess {
        try BridgeProcess.run(["run"], environment: [
            "UNICAT_URL": "http://127.0.0.1:9", "UNICAT_PROJECT": UUID().uuidString.lowercased(),
            "UNICAT_API_KEY": "some-key", "UNICAT_BRIDGE_STATE_DIR": directory.file("state").path,
        ], stateDirectory: directory.file("state"))
    }

    @Test func unreachableUpstreamIsRetriedNotFatal() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let bridge = try runAgainstUnreachableUnicat(directory)
        try await bridge.waitForLog("cannot reach Unicat for auth at http://127.0.0.1:9", timeout: .seconds(90))
        #expect(bridge.child.isRunning)
        #expect(await bridge.stop() == 0)
        #expect(!bridge.log.contains("some-key"))
    }

    @Test func sigtermDuringStartupRetriesExitsAtOnce() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let bridge = try runAgainstUnreachableUnicat(directory)
        // In the middle of the first request's retries (8 attempts, about 15 s in all).
        try await bridge.waitForLog("retrying in", timeout: .seconds(30))
        let stopping = ContinuousClock.now
        #expect(await bridge.stop() == 0)
        #expect(ContinuousClock.now - stopping < .seconds(5), "SIGTERM finishes the current step, it does not wait out the retries")
    }

    @Test func untrustedCertificateExitsWithStatus4() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let certificates = try TestCertificates.make(in: directory)
        try await SessionFixture.with(simulatorArguments: ["--tls-cert", certificates.certificateFile,
                                                           "--tls-key", certificates.privateKeyFile], startBridge: false) { session in
            // Without the test CA the simulator's certificate cannot verify.
            let bridge = try BridgeProcess.start(simulator: session.simulator, stateDirectory: session.stateDirectory)
            #expect(await bridge.child.waitForExit(timeout: .seconds(60)) == 4)
            #expect(bridge.log.contains("TLS verification of \(session.simulator.url)"))

            // With it, the session works over TLS, the feed included.
            let trusted = try BridgeProcess.start(simulator: session.simulator, stateDirectory: session.stateDirectory,
                                                  environment: ["UNICAT_CA_FILE": certificates.caFile])
            try await trusted.waitUntilCaughtUp(with: session.simulator)
            try await trusted.waitForLog("sync feed connected")
            try await session.change(3)
            try await trusted.waitUntilCaughtUp(with: session.simulator)
            #expect(try await Truth.journalDifferences(trusted.store(), session.simulator) == [])
            #expect(await trusted.stop() == 0)
        }
    }

    @Test func badConfigurationNamesTheKeyAndExitsWithStatus2() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let config = directory.file("bad.yaml")
        try """
            upstream:
              url: ftp://example
              project: 6d9a6d4e-3c1c-4a55-9c9e-0f5e3f9b7a11
              api_key_env: SOME_VARIABLE
            journal_size: 5
            sync:
              safety_pol_seconds: 3
            """.write(to: config, atomically: true, encoding: .utf8)
        var environment = ProcessInfo.processInfo.environment
        for name in ["UNICAT_URL", "UNICAT_PROJECT", "UNICAT_API_KEY", "UNICAT_API_KEY_FILE", "UNICAT_CA_FILE"] { environment[name] = nil }
        let fileProblems = try BridgeProcess.run(["check-config", "--config", config.path], environment: environment,
                                                 stateDirectory: directory.file("state"))
        #expect(await fileProblems.child.waitForExit(timeout: .seconds(30)) == 2)
        #expect(fileProblems.log.contains("bad.yaml:7: sync.safety_pol_seconds: unknown key"))

        try """
            upstream:
              url: ftp://example
              project: 6d9a6d4e-3c1c-4a55-9c9e-0f5e3f9b7a11
              api_key_env: SOME_VARIABLE
            journal_size: 5
            """.write(to: config, atomically: true, encoding: .utf8)
        let valueProblems = try BridgeProcess.run(["run", "--config", config.path], environment: environment,
                                                  stateDirectory: directory.file("state"))
        #expect(await valueProblems.child.waitForExit(timeout: .seconds(30)) == 2)
        #expect(valueProblems.log.contains("upstream.url: must be an http:// or https:// URL"))
        #expect(valueProblems.log.contains("journal_size: must be between 100 and 10000000"))

        let missing = try BridgeProcess.run(["run"], environment: environment, stateDirectory: directory.file("state"))
        #expect(await missing.child.waitForExit(timeout: .seconds(30)) == 2)
        #expect(missing.log.contains("upstream.url: is required (or set UNICAT_URL)"))
    }
}
