#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CBridgePlugin
import Testing

/// The Unix-socket transport driven as the host drives it, with real socket clients.
@Suite struct UnixSocketTransportTests {
    static let library = Result { try PluginLibrary("libUnixSocketTransport.so") }

    static func socketPath() -> String {
        "/tmp/unix-transport-\(getpid())-\(UInt32.random(in: 0...UInt32.max))/bridge.sock"
    }

    /// Removes what the transport leaves behind: the lock file and the directory it made.
    static func cleanUp(_ path: String) {
        unlink(path)
        unlink(path + ".lock")
        rmdir(String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)]))
    }

    @Test func refusesBadConfigurations() throws {
        let library = try Self.library.get()
        #expect(library.name == "unix")
        let cases: [(String, String)] = [
            (#"{"path": "/tmp/x.sock", "port": 1}"#, #"unknown configuration key "port""#),
            (#"{"path": "relative.sock"}"#, "must be an absolute path"),
            (#"{"path": "/tmp/\#(String(repeating: "x", count: 120))"}"#, "longer than 107 bytes"),
            (#"{"path": "/tmp/x.sock", "mode": 432}"#, "quoted octal permission string"),
            (#"{"path": "/tmp/x.sock", "mode": "0999"}"#, "quoted octal permission string"),
            (#"{"path": "/tmp/x.sock", "group": "no-such-group-here"}"#, #"configuration key "group": no group named "no-such-group-here""#),
            (#"{"path": "/tmp/x.sock", "allowed_uids": ["no-such-user-here"]}"#, #"no user named "no-such-user-here""#),
            (#"{"path": "/tmp/x.sock", "allowed_uids": [], "allowed_gids": []}"#, "both empty"),
            (#"{"path": "/tmp/x.sock", "allowed_gids": "wheel"}"#, "must be a list of names or numeric ids"),
            (#"{"path": "/tmp/x.sock", "max_connections": 0}"#, #""max_connections" must be an integer"#),
        ]
        for (config, expected) in cases {
            #expect("\(config)") { try PluginInstance(library, host: RecordingHost(), config: config) } throws: {
                "\($0)".contains(expected)
            }
        }
    }

    @Test func relaysLinesBothWaysClosesWithAFinalMessageAndRemovesTheSocket() async throws {
        let path = Self.socketPath()
        defer { Self.cleanUp(path) }
        let host = RecordingHost()
        let plugin = try PluginInstance(try Self.library.get(), host: host, config: #"{"path": "\#(path)"}"#)
        try plugin.start()
        var info = stat()
        #expect(lstat(path, &info) == 0 && info.st_mode & 0o777 == 0o600)

        let client = try UnixSocketClient(path: path)
        #expect(await host.waitFor { $0.count == 1 })
        guard case .opened(let id, let peer)? = host.events.first else { return }
        #expect(peer.hasPrefix(#"{"transport":"unix","pid":\#(getpid()),"uid":\#(geteuid())"#))

        client.write("{\"id\":1}\n\r\n{\"id\"")
        client.write(":2}\r\n")
        #expect(await host.waitFor { _ in host.messages(from: id).count == 2 })
        #expect(host.messages(from: id) == [#"{"id":1}"#, #"{"id":2}"#])

        #expect(plugin.send(id, #"{"result":1}"#) == BRIDGE_OK)
        #expect(plugin.sendMany([id, 999], #"{"fanout":true}"#).map(\.wasQueued) == [true, false])
        #expect(await client.receive { $0.hasSuffix("true}\n") } == "{\"result\":1}\n{\"fanout\":true}\n")

        plugin.close(id, final: #"{"bye":1}"#, reason: "done")
        #expect(await client.receive { _ in false }.hasSuffix("{\"bye\":1}\n"))
        #expect(client.ended)
        #expect(await host.waitFor { $0.contains(.closed(id, "done")) })
        #expect(plugin.send(id, "{}") == BRIDGE_ERR_UNKNOWN_CLIENT)

        plugin.stop()
        #expect(plugin.send(id, "{}") == BRIDGE_ERR_STOPPED)
        #expect(access(path, F_OK) != 0, "the socket file is removed")
        plugin.destroy()
    }

    @Test func aClientThatDoesNotReadGetsQueueFullThenWritable() async throws {
        let path = Self.socketPath()
        defer { Self.cleanUp(path) }
        let host = RecordingHost()
        let plugin = try PluginInstance(try Self.library.get(), host: host,
                                        config: #"{"path": "\#(path)", "queue_max_messages": 8}"#)
        try plugin.start()
        let client = try UnixSocketClient(path: path)
        #expect(await host.waitFor { $0.count == 1 })
        guard case .opened(let id, _)? = host.events.first else { return }
        let big = "[\"\(String(repeating: "x", count: 32 * 1024))\"]"
        var accepted = 0
        while plugin.send(id, big).wasQueued && accepted < 1000 { accepted += 1 }
        #expect(accepted < 1000)
        let everything = await client.receive { $0.utf8.count >= accepted * (big.utf8.count + 1) }
        #expect(everything.utf8.count == accepted * (big.utf8.count + 1))
        #expect(await host.waitFor { $0.contains(.writable(id)) })
        plugin.destroy()
    }

    @Test func aPeerThatHalfClosesStillGetsItsAnswers() async throws {
        let path = Self.socketPath()
        defer { Self.cleanUp(path) }
        let host = RecordingHost()
        let plugin = try PluginInstance(try Self.library.get(), host: host, config: #"{"path": "\#(path)"}"#)
        try plugin.start()
        let client = try UnixSocketClient(path: path)
        #expect(await host.waitFor { $0.count == 1 })
        guard case .opened(let id, _)? = host.events.first else { return }
        client.write("[1]\n")
        client.shutDownWriting()
        #expect(await host.waitFor { _ in host.messages(from: id) == ["[1]"] })
        #expect(plugin.send(id, "[2]") == BRIDGE_OK)
        #expect(await client.receive { $0 == "[2]\n" } == "[2]\n")
        #expect(!host.events.contains { if case .closed = $0 { true } else { false } })
        plugin.destroy()
    }
}
