import BridgeTestSupport
import Foundation
import SocketIOClient
import Testing

/// Faults a real server cannot be made to produce on demand, driven by `ScriptedServer`
/// over real sockets: half-open connections, silent servers, unusual framing.
@Suite(.timeLimit(.minutes(1)))
struct FaultInjectionTests {
    /// OPEN with a 0.5 s heartbeat window, for the ping timeout test.
    private static let open = #"0{"sid":"eio-sid","upgrades":[],"pingInterval":300,"pingTimeout":200,"maxPayload":1000}"#
    /// OPEN with a heartbeat window long enough never to fire during a test.
    private static let patientOpen = #"0{"sid":"eio-sid","upgrades":[],"pingInterval":30000,"pingTimeout":20000,"maxPayload":1000}"#

    private func makeClient(baseURL: String, counter: Counter? = nil,
                            configure: (inout SocketIOConfiguration) -> Void = { _ in }) throws -> SocketIOClient {
        var configuration = SocketIOConfiguration(
            endpoint: try SocketIOEndpoint(baseURL: baseURL, path: "/sync/io"),
            auth: {
                counter?.increment()
                return #"{"JWT":"token-1"}"#
            })
        configuration.reconnectDelay = 0.05...0.2
        configuration.connectTimeout = 5
        configure(&configuration)
        return SocketIOClient(configuration: configuration, logger: testLogger("socketio-fault"))
    }

    @Test func silentServerIsDetectedByThePingTimeoutAndReconnected() async throws {
        let handshakes = Counter()
        let server = try ScriptedServer { peer, _ in
            let request = try peer.acceptUpgrade()
            guard request.hasPrefix("GET /sync/io/?EIO=4&transport=websocket HTTP/1.1\r\n") else { return }
            try peer.sendText(Self.open)
            guard try peer.readText() == #"40{"JWT":"token-1"}"# else { return }
            handshakes.increment()
            try peer.sendText(#"40{"sid":"sio-sid"}"#)
            try peer.sendText("2")
            guard try peer.readText() == "3" else { return }
            try peer.sendText("2probe")
            guard try peer.readText() == "3probe" else { return }
            handshakes.increment()
            // Now go silent with the TCP connection still open: a half-open connection.
            Thread.sleep(forTimeInterval: 20)
        }
        defer { server.stop() }
        // "localhost" goes through the resolver (and, if it yields ::1 first, the next address).
        let client = try makeClient(baseURL: "http://localhost:\(server.port)")
        let recorder = EventRecorder(client)
        client.start()
        defer { client.stop() }

        try await recorder.waitForConnected()
        #expect(recorder.events.contains(.connected(sid: "sio-sid")))
        try await recorder.wait("ping timeout", timeout: .seconds(10)) { _ in
            recorder.disconnects.contains { $0.hasPrefix("ping timeout") }
        }
        #expect(handshakes.count >= 2)
        // ...and the client comes back on its own.
        try await recorder.waitForConnected(count: 2)
    }

    @Test func framingAcksAndLimits() async throws {
        let received = ReceivedTexts()
        let server = try ScriptedServer { peer, index in
            try peer.acceptUpgrade()
            try peer.sendText(Self.patientOpen)
            _ = try peer.readText()
            try peer.sendText(#"40{"sid":"s\#(index)"}"#)
            guard index == 0 else {
                Thread.sleep(forTimeInterval: 20)
                return
            }
            // One event split into three WebSocket frames.
            try peer.sendFrame(opcode: 1, Array(#"42["frag","#.utf8), fin: false)
            try peer.sendFrame(opcode: 0, Array(#"{"a":"é"},"#.utf8), fin: false)
            try peer.sendFrame(opcode: 0, Array(#"2]"#.utf8), fin: true)
            // Binary frames are not used by Unicat: ignored.
            try peer.sendFrame(opcode: 2, [0x04, 0x01, 0x02])
            // Garbage and unsupported packets are logged and skipped.
            try peer.sendText("4garbage")
            try peer.sendText(#"451-["bin",{"_placeholder":true,"num":0}]"#)
            try peer.sendText("9")
            // An event asking for an ack gets an empty one.
            try peer.sendText(#"427["needsAck",true]"#)
            received.append(try peer.readText())
            // Wait for the client's emit, then overflow the receive limit.
            received.append(try peer.readText())
            try peer.sendText(#"42["big",""# + String(repeating: "x", count: 3000) + #""]"#)
            Thread.sleep(forTimeInterval: 20)
        }
        defer { server.stop() }
        let client = try makeClient(baseURL: "http://127.0.0.1:\(server.port)") { $0.maxMessageSize = 2048 }
        let recorder = EventRecorder(client)
        client.start()
        defer { client.stop() }

        try await recorder.wait("needsAck event") { _ in !recorder.events(named: "needsAck").isEmpty }
        #expect(recorder.events(named: "frag") == [#"[{"a":"é"},2]"#])
        #expect(recorder.events(named: "needsAck") == ["[true]"])
        // The server's maxPayload (1000) bounds what we send.
        #expect(!client.emit("tooBig", argumentsJSON: "[\"" + String(repeating: "y", count: 1000) + "\"]"))
        #expect(client.emit("hello", argumentsJSON: #"[1,"two"]"#))
        try await recorder.wait("oversized message drops the connection") { _ in
            recorder.disconnects.contains { $0.contains("exceeds 2048 bytes") }
        }
        #expect(received.all == ["437[]", #"42["hello",1,"two"]"#])
        #expect(recorder.events(named: "big").isEmpty)
        try await recorder.waitForConnected(count: 2)
        #expect(recorder.events.contains(.connected(sid: "s1")))
    }

    @Test func serverThatNeverAnswersHitsTheConnectTimeout() async throws {
        let server = try ScriptedServer { _, _ in Thread.sleep(forTimeInterval: 20) }
        defer { server.stop() }
        let client = try makeClient(baseURL: "http://127.0.0.1:\(server.port)") {
            $0.connectTimeout = 0.5
            $0.reconnectDelay = 0.05...0.05
        }
        let recorder = EventRecorder(client)
        client.start()
        try await recorder.wait("connect timeout") { _ in
            recorder.disconnects.contains { $0.hasPrefix("connect timeout") }
        }
        // stop() while an attempt is in flight.
        let seconds = elapsed { client.stop() }
        #expect(seconds < 1.5)
        try await recorder.wait("stream finished") { _ in recorder.finished }
    }

    @Test func refusedConnectionBacksOffAndStopIsPrompt() async throws {
        // A port that was just free: nothing listens there.
        let closed = try ScriptedServer { _, _ in }
        let port = closed.port
        closed.stop()
        let calls = Counter()
        let client = try makeClient(baseURL: "http://127.0.0.1:\(port)", counter: calls) {
            // Far longer than the test takes on a loaded machine: one attempt, then the backoff.
            $0.reconnectDelay = 60...60
        }
        let recorder = EventRecorder(client)
        client.start()
        try await recorder.wait("connection failure") { _ in !recorder.disconnects.isEmpty }
        #expect(recorder.disconnects.first?.hasPrefix("connection failed") == true)
        #expect(calls.count == 0)  // auth is only asked for once the Engine.IO session opens
        #expect(!client.emit("x"))
        // The client now sits in its backoff; stop() must not wait for it.
        let seconds = elapsed { client.stop() }
        #expect(seconds < 1)
        try await recorder.wait("stream finished") { _ in recorder.finished }
        #expect(recorder.disconnects.count == 1)
    }

    @Test func unreadableCAFileIsReportedAndRetriedNotFatal() async throws {
        let client = try makeClient(baseURL: "https://127.0.0.1:9") {
            $0.caFile = "/nonexistent/unicat-ca.pem"
            $0.reconnectDelay = 0.05...0.1
        }
        let recorder = EventRecorder(client)
        client.start()
        try await recorder.wait("two reports") { _ in recorder.disconnects.count >= 2 }
        #expect(recorder.disconnects.allSatisfy { $0.contains("/nonexistent/unicat-ca.pem") })
        let seconds = elapsed { client.stop() }
        #expect(seconds < 1)
    }

    @Test func stopBeforeStartAndRepeatedCallsAreHarmless() async throws {
        let client = try makeClient(baseURL: "http://127.0.0.1:9")
        let recorder = EventRecorder(client)
        client.stop()
        client.start()  // ignored after stop
        client.stop()
        client.reconnectNow()
        try await recorder.wait("stream finished") { _ in recorder.finished }
        #expect(recorder.events.isEmpty)
        await #expect(throws: SocketIOError.self) { try await client.emitWithAck("x", timeout: 1) }
    }
}

/// Texts a scripted peer received, for assertions after the fact.
final class ReceivedTexts: @unchecked Sendable {
    private let lock = NSLock()
    private var texts: [String] = []
    func append(_ text: String) { lock.withLock { texts.append(text) } }
    var all: [String] { lock.withLock { texts } }
}
