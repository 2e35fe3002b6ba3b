import Testing
@testable import SocketIOClient

@Suite struct SocketIOEndpointTests {
    @Test func unicatProduction() throws {
        let endpoint = try SocketIOEndpoint(baseURL: "https://unicat.app", path: "/sync/io")
        #expect(endpoint.host == "unicat.app")
        #expect(endpoint.port == 443)
        #expect(endpoint.useTLS)
        #expect(endpoint.path == "/sync/io")
        #expect(endpoint.requestPath == "/sync/io/?EIO=4&transport=websocket")
        #expect(endpoint.hostHeader == "unicat.app")
    }

    @Test func plainHTTPWithPortAndSlashes() throws {
        let endpoint = try SocketIOEndpoint(baseURL: "http://127.0.0.1:8080/", path: "sync/io/")
        #expect(endpoint.host == "127.0.0.1")
        #expect(endpoint.port == 8080)
        #expect(!endpoint.useTLS)
        #expect(endpoint.path == "/sync/io")
        #expect(endpoint.hostHeader == "127.0.0.1:8080")
    }

    @Test func defaultPathAndPrefix() throws {
        #expect(try SocketIOEndpoint(baseURL: "HTTPS://example.com").path == "/socket.io")
        #expect(try SocketIOEndpoint(baseURL: "https://example.com/unicat", path: "/sync/io").path == "/unicat/sync/io")
        #expect(try SocketIOEndpoint(baseURL: "http://h", path: "/").requestPath == "/?EIO=4&transport=websocket")
    }

    @Test func ipv6Literal() throws {
        let endpoint = try SocketIOEndpoint(baseURL: "http://[::1]:9000", path: "/sync/io")
        #expect(endpoint.host == "::1")
        #expect(endpoint.port == 9000)
        #expect(endpoint.hostHeader == "[::1]:9000")
    }

    @Test func unsupportedScheme() {
        #expect(throws: SocketIOError.unsupportedScheme("ftp")) { try SocketIOEndpoint(baseURL: "ftp://example.com") }
        #expect(throws: SocketIOError.unsupportedScheme("wss")) { try SocketIOEndpoint(baseURL: "wss://example.com") }
    }

    @Test(arguments: ["", "example.com", "https://", "https://:443", "https://h:0", "https://h:70000", "https://h:x",
                      "https://user:pw@h", "https://h/?q=1", "https://h#f", "https://[::1", "https://h h", "https://[::1]x"])
    func invalidURLs(_ url: String) {
        #expect(throws: SocketIOError.self) { try SocketIOEndpoint(baseURL: url) }
    }
}

/// A deterministic generator so backoff tests do not depend on luck.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct BackoffTests {
    @Test func growsExponentiallyWithinBoundsAndResets() {
        var backoff = Backoff(range: 0.5...30)
        var generator = SplitMix64(state: 1)
        var caps: [Double] = []
        for _ in 0..<12 {
            let cap = backoff.currentCap
            caps.append(cap)
            let delay = backoff.nextDelay(using: &generator)
            #expect(delay >= 0.5 && delay <= cap)
        }
        #expect(caps.prefix(7) == [0.5, 1, 2, 4, 8, 16, 30])
        #expect(caps.last == 30)
        backoff.reset()
        #expect(backoff.currentCap == 0.5)
        #expect(backoff.nextDelay(using: &generator) == 0.5)
    }

    @Test func jitterSpreadsDelays() {
        var generator = SplitMix64(state: 7)
        let delays = (0..<200).map { _ -> Double in
            var backoff = Backoff(range: 1...64)
            for _ in 0..<6 { _ = backoff.nextDelay(using: &generator) }
            return backoff.nextDelay(using: &generator)
        }
        #expect(delays.min()! < 16)
        #expect(delays.max()! > 48)
    }

    @Test func degenerateRangesStaySane() {
        var zero = Backoff(range: 0...0)
        #expect(zero.nextDelay() > 0)
        var huge = Backoff(range: 1...1e9)
        for _ in 0..<200 { _ = huge.nextDelay() }
        #expect(huge.currentCap == 1e9)
    }
}
