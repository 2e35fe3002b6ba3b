#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CBridgePlugin
import Testing

/// The plugin written in C, driven as the host drives it, with real socket clients.
@Suite struct CEchoPluginTests {
    static let library = Result { try PluginLibrary("libCEchoPlugin.so") }

    static func socketPath() -> String {
        "/tmp/cecho-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
    }

    @Test func refusesABadConfiguration() throws {
        let library = try Self.library.get()
        #expect(library.name == "loopback")
        #expect { try PluginInstance(library, host: RecordingHost(), config: "{}") } throws: { "\($0)".contains("needs \"path\"") }
        #expect { try PluginInstance(library, host: RecordingHost(), config: #"{"path": "/tmp/x", "port": 1}"#) } throws: {
            "\($0)" == #"unknown configuration key "port" (known keys: path)"#
        }
        #expect { try PluginInstance(library, host: RecordingHost(), config: #"{"path": 7}"#) } throws: { "\($0)".contains("must be a string") }
        #expect { try PluginInstance(library, host: RecordingHost(), config: "[]") } throws: { "\($0)".contains("must be a JSON object") }
    }

    @Test func relaysLinesBothWaysAndClosesClients() async throws {
        let path = Self.socketPath()
        let host = RecordingHost()
        let plugin = try PluginInstance(try Self.library.get(), host: host, config: #"{"path": "\#(path)"}"#)
        try plugin.start()

        let first = try UnixSocketClient(path: path)
        #expect(await host.waitFor { $0.count == 1 })
        guard case .opened(let id, let peer)? = host.events.first else { return }
        #expect(peer.hasPrefix(#"{"transport":"loopback","uid":"#))

        first.write("{\"id\":1}\n\r\n{\"id\"")
        first.write(":2}\r\n")
        #expect(await host.waitFor { _ in host.messages(from: id).count == 2 })
        #expect(host.messages(from: id) == [#"{"id":1}"#, #"{"id":2}"#])

        #expect(plugin.send(id, #"{"result":1}"#) == BRIDGE_OK)
        #expect(plugin.sendMany([id, 999], #"{"fanout":true}"#) == [BRIDGE_OK, BRIDGE_ERR_UNKNOWN_CLIENT])
        #expect(await first.receive { $0.hasSuffix("true}\n") } == "{\"result\":1}\n{\"fanout\":true}\n")

        plugin.close(id, final: #"{"bye":1}"#, reason: "done")
        #expect(plugin.send(id, "{}") == BRIDGE_ERR_UNKNOWN_CLIENT)
        #expect(await first.receive { _ in false }.hasSuffix("{\"bye\":1}\n"))
        #expect(first.ended)
        #expect(await host.waitFor { $0.contains(.closed(id, "done")) })

        let second = try UnixSocketClient(path: path)
        #expect(await host.waitFor { $0.count == 5 })
        guard case .opened(let secondID, _)? = host.events.last else { return }
        second.write("[3]\n")
        #expect(await host.waitFor { _ in host.messages(from: secondID) == ["[3]"] })

        plugin.stop()
        #expect(host.events.last == .closed(secondID, "transport stopped"))
        #expect(await second.receive { _ in false } == "")
        #expect(second.ended)
        #expect(access(path, F_OK) != 0)  // the socket file is removed
        plugin.destroy()
    }

    @Test func aPeerThatHangsUpIsReportedClosed() async throws {
        let path = Self.socketPath()
        let host = RecordingHost()
        let plugin = try PluginInstance(try Self.library.get(), host: host, config: #"{"path": "\#(path)"}"#)
        try plugin.start()
        var client: UnixSocketClient? = try UnixSocketClient(path: path)
        #expect(await host.waitFor { $0.count == 1 })
        guard case .opened(let id, _)? = host.events.first else { return }
        client?.write("[1]\n")
        client = nil
        #expect(await host.waitFor { $0.contains(.closed(id, "connection closed")) })
        #expect(host.messages(from: id) == ["[1]"])
        plugin.destroy()
    }

    @Test func aClientThatDoesNotReadGetsQueueFullThenWritable() async throws {
        let path = Self.socketPath()
        let host = RecordingHost()
        let plugin = try PluginInstance(try Self.library.get(), host: host, config: #"{"path": "\#(path)"}"#)
        try plugin.start()
        let client = try UnixSocketClient(path: path)
        #expect(await host.waitFor { $0.count == 1 })
        guard case .opened(let id, _)? = host.events.first else { return }
        let big = "[\"\(String(repeating: "x", count: 32 * 1024))\"]"
        var accepted = 0
        while plugin.send(id, big) == BRIDGE_OK && accepted < 1000 { accepted += 1 }
        #expect(accepted < 1000)
        let everything = await client.receive { $0.utf8.count >= accepted * (big.utf8.count + 1) }
        #expect(everything.utf8.count == accepted * (big.utf8.count + 1))
        #expect(await host.waitFor { $0.contains(.writable(id)) })
        plugin.destroy()
    }
}
