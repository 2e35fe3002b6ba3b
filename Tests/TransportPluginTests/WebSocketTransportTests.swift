#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CBridgePlugin
import Testing

/// The WebSocket transport driven as the host drives it, with a raw WebSocket client.
@Suite struct WebSocketTransportTests {
    static let library = Result { try PluginLibrary("libWebSocketTransport.so") }

    /// The port from the transport's "listening on 127.0.0.1:PORT" log line.
    static func port(_ host: RecordingHost) throws -> Int {
        let marker = "listening on 127.0.0.1:"
        let line = try #require(host.logs.first { $0.contains(marker) })
        let digits = line.split(separator: marker).dropFirst().first?.prefix { $0.isNumber } ?? ""
        return try #require(Int(digits))
    }

    @Test func refusesBadConfigurations() throws {
        let library = try Self.library.get()
        #expect(library.name == "websocket")
        let cases: [(String, String)] = [
            (#"{"listen": ["127.0.0.1:0"], "port": 1}"#, #"unknown configuration key "port""#),
            (#"{"listen": "127.0.0.1:0"}"#, #""listen" must be a list of strings"#),
            (#"{"listen": ["somewhere:80"]}"#, #"listen address "somewhere:80" must be HOST:PORT"#),
            (#"{"listen": ["[::1]"]}"#, #"listen address "[::1]" must be HOST:PORT"#),
            (#"{"tokens_file": "/nonexistent/tokens"}"#, "cannot read the tokens file /nonexistent/tokens"),
            (#"{"permessage_deflate": "yes"}"#, #""permessage_deflate" must be true or false"#),
            (#"{"max_connections_per_ip": 0}"#, #""max_connections_per_ip" must be an integer"#),
            (#"{"tls": {"cert_file": "/x.pem", "key_file": "/x.key", "ca": "/y"}}"#, #"unknown configuration key "ca""#),
        ]
        for (config, expected) in cases {
            #expect("\(config)") { try PluginInstance(library, host: RecordingHost(), config: config) } throws: {
                "\($0)".contains(expected)
            }
        }
    }

    @Test func aFIFONamedAsTheTokensFileIsRefusedWithoutHanging() throws {
        let path = "/tmp/websocket-tokens-fifo-\(getpid())"
        unlink(path)
        try #require(mkfifo(path, 0o600) == 0)
        defer { unlink(path) }
        #expect { try PluginInstance(try Self.library.get(), host: RecordingHost(), config: #"{"tokens_file": "\#(path)"}"#) } throws: {
            "\($0)".contains("is not a regular file")
        }
    }

    @Test func relaysTextFramesBothWaysFansOutAndClosesWithAFinalMessage() async throws {
        let host = RecordingHost()
        let plugin = try PluginInstance(try Self.library.get(), host: host, config: #"{"listen": ["127.0.0.1:0"]}"#)
        try plugin.start()
        let client = try WebSocketTestClient(port: try Self.port(host))
        #expect(client.status == "HTTP/1.1 101 Switching Protocols")
        #expect(await host.waitFor { $0.count == 1 })
        guard case .opened(let id, let peer)? = host.events.first else { return }
        #expect(peer == #"{"address":"127.0.0.1","feed":false,"tls":false,"transport":"websocket"}"#)

        client.sendText(#"{"id":1}"#)
        client.sendText(String(repeating: "x", count: 300))
        #expect(await host.waitFor { _ in host.messages(from: id).count == 2 })
        #expect(host.messages(from: id).first == #"{"id":1}"#)

        #expect(plugin.send(id, #"{"result":1}"#) == BRIDGE_OK)
        #expect(plugin.sendMany([id, 999], #"{"fanout":true}"#).map(\.wasQueued) == [true, false])
        #expect(client.readFrame()?.text == #"{"result":1}"#)
        #expect(client.readFrame()?.text == #"{"fanout":true}"#)

        plugin.close(id, final: #"{"bye":1}"#, reason: "done")
        #expect(client.readFrame()?.text == #"{"bye":1}"#)
        #expect(client.readFrame()?.closeCode == 1000)
        #expect(await host.waitFor { $0.contains(.closed(id, "closed by the bridge: done")) })
        #expect(plugin.send(id, "{}") == BRIDGE_ERR_UNKNOWN_CLIENT)

        plugin.stop()
        #expect(plugin.send(id, "{}") == BRIDGE_ERR_STOPPED)
        plugin.destroy()
    }

    @Test func closesTheConnectionOnAnUnmaskedFrameWith1002() async throws {
        let host = RecordingHost()
        let plugin = try PluginInstance(try Self.library.get(), host: host, config: #"{"listen": ["127.0.0.1:0"]}"#)
        try plugin.start()
        var client: WebSocketTestClient? = try WebSocketTestClient(port: try Self.port(host))
        #expect(await host.waitFor { $0.count == 1 })
        guard case .opened(let id, _)? = host.events.first else { return }
        client?.sendText(#"{"id":1}"#)
        client?.sendText(#"{"id":2}"#, masked: false)
        #expect(client?.readFrame()?.closeCode == 1002)
        client = nil  // hangs up rather than acknowledging the close, which lws would wait for
        #expect(await host.waitFor { $0.contains(.closed(id, "client frames must be masked")) })
        #expect(host.messages(from: id) == [#"{"id":1}"#], "the unmasked frame never reaches the host")
        #expect(!host.logs.contains { $0.contains("masked") }, "the check works with this libwebsockets")
        plugin.stop()
        plugin.destroy()
    }

    @Test func stopClosesOpenClientsAndReportsThem() async throws {
        let host = RecordingHost()
        let plugin = try PluginInstance(try Self.library.get(), host: host, config: #"{"listen": ["127.0.0.1:0"]}"#)
        try plugin.start()
        let client = try WebSocketTestClient(port: try Self.port(host))
        #expect(await host.waitFor { $0.count == 1 })
        guard case .opened(let id, _)? = host.events.first else { return }
        plugin.stop()
        #expect(host.events.contains { if case .closed(id, _) = $0 { true } else { false } }, "stop reports every client closed")
        #expect(client.readFrame()?.closeCode == 1001)
        plugin.destroy()
    }
}
