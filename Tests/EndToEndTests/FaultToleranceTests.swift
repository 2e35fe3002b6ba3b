import BridgeCore
import BridgeTestSupport
import Foundation
import Testing

/// Faults injected into the simulator while the real bridge runs: nothing is lost, nothing
/// is applied twice.
@Suite(.serialized) struct FaultToleranceTests {
    @Test func socketDroppedWhileChangesContinue() async throws {
        try await SessionFixture.with { session in
            let bridge = try session.requireBridge()
            try await bridge.waitForLog("sync feed connected")
            for _ in 0..<3 {
                try await session.simulator.control("/socketio/drop", [:])
                try await session.change(15)
            }
            try await bridge.waitUntilCaughtUp(with: session.simulator)
            #expect(try await Truth.journalDifferences(bridge.store(), session.simulator) == [])
            try await bridge.waitForLog("sync feed disconnected")
        }
    }

    @Test func expiredJWTIsReplacedTransparently() async throws {
        try await SessionFixture.with { session in
            let bridge = try session.requireBridge()
            let before = try await requestCount(session, suffix: "/auth")
            try await session.simulator.control("/jwt/expire-all", [:])
            try await session.simulator.control("/socketio/drop", [:])
            try await session.change(10, action: "INSERT")
            try await bridge.waitUntilCaughtUp(with: session.simulator)
            #expect(try await Truth.journalDifferences(bridge.store(), session.simulator) == [])
            #expect(try await requestCount(session, suffix: "/auth") > before, "the bridge re-authenticated")
        }
    }

    @Test func refreshedTokensAreAdoptedSoNoReauthenticationIsNeeded() async throws {
        // Short-lived tokens refreshed on every call and by the feed's authorization events:
        // a bridge that adopts them never needs the API key again.
        try await SessionFixture.with(simulatorArguments: ["--jwt-ttl", "4", "--refresh-policy", "always"],
                                      configYAML: "sync:\n  safety_poll_seconds: 1\n") { session in
            let bridge = try session.requireBridge()
            let auths = try await requestCount(session, suffix: "/auth")
            for _ in 0..<5 {
                try await session.change(2)
                try await Task.sleep(for: .seconds(2))
            }
            // The socket reconnects with the token it was last given.
            try await session.simulator.control("/socketio/drop", [:])
            try await session.change(2)
            try await bridge.waitUntilCaughtUp(with: session.simulator)
            try await Task.sleep(for: .seconds(2))
            #expect(try await requestCount(session, suffix: "/auth") == auths, "no re-authentication was needed")
            let socketio = try await session.simulator.control("/stats")["socketio"]
            #expect(socketio?["refused_total"]?.int64Value == 0, "the feed never presented an expired token")
            #expect(try await Truth.journalDifferences(bridge.store(), session.simulator) == [])
        }
    }

    @Test func serverErrorsAndRateLimitsAreRetried() async throws {
        try await SessionFixture.with(configYAML: "sync:\n  socket_feed: false\n  safety_poll_seconds: 1\n") { session in
            let bridge = try session.requireBridge()
            try await session.simulator.control("/faults", ["match": "/sync/get", "status": 503, "count": 3])
            try await session.simulator.control("/faults", ["match": "/sync/get", "status": 429, "count": 1, "retry_after": 1])
            try await session.simulator.control("/faults", ["match": "/api/p/{gid}/records/get", "status": 500, "count": 2, "body": "non_json"])
            try await session.change(5, action: "INSERT")
            try await bridge.waitUntilCaughtUp(with: session.simulator, timeout: .seconds(120))
            #expect(try await Truth.journalDifferences(bridge.store(), session.simulator) == [])
            #expect(try await Truth.mirrorDifferences(bridge.store(), session.simulator, types: ["records"]) == [])
            #expect(bridge.log.contains("HTTP 503"))
            #expect(bridge.log.contains("HTTP 429"))
        }
    }

    @Test func longBacklogInSmallPagesIsCaughtUpCompletely() async throws {
        try await SessionFixture.with { session in
            await session.stopBridge()
            try await session.change(1000)
            try await session.simulator.control("/settings", ["page_size": 3])
            let bridge = try await session.startBridge()
            try await bridge.waitUntilCaughtUp(with: session.simulator, timeout: .seconds(300))
            #expect(try await Truth.journalDifferences(bridge.store(), session.simulator) == [])
            try await bridge.waitForLog("catching up")
        }
    }

    func requestCount(_ session: SessionFixture, suffix: String) async throws -> Int64 {
        let requests = try await session.simulator.control("/stats")["requests"]?.objectValue ?? [:]
        return requests.filter { $0.key.hasSuffix(suffix) }.values.compactMap(\.int64Value).reduce(0, +)
    }
}
