import BridgePluginKit
import Logging
import Testing
@testable import BridgeCore

@Suite struct UpstreamHealthTests {
    @Test func statesFollowTheHTTPSideAndTheFeed() {
        let health = UpstreamHealth(feedEnabled: true, logger: Logger(label: "test"))
        let seen = Locked<[UpstreamHealth.State]>([])
        health.observe { state in seen.withLock { $0.append(state) } }
        #expect(health.state == .starting)
        health.httpSucceeded()
        #expect(health.state == .starting, "still waiting for the feed's first connection")
        health.feed(connected: true)
        #expect(health.state == .connected)
        health.feed(connected: false)
        #expect(health.state == .reconnecting)
        health.feed(connected: true)
        let unreachable = UpstreamError.unreachable(endpoint: .syncGet, url: "u", TransportError(kind: .notSent, message: "refused"))
        for _ in 0..<3 { health.httpFailed(unreachable) }
        #expect(health.state == .offline)
        health.httpFailed(UpstreamError.credentialsRejected(UnicatError(httpStatus: 403, code: 403, message: "Unknown user", info: [:], endpoint: .auth)))
        #expect(health.state == .authFailed)
        health.httpSucceeded()
        #expect(health.state == .connected)
        #expect(seen.withLock { $0 } == [.connected, .reconnecting, .connected, .reconnecting, .offline, .authFailed, .connected])
    }
}
