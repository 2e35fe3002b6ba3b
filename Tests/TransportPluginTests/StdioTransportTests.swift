import CBridgePlugin
import Testing

/// The stdio plugin driven as the host drives it, with pipes for its stdin and stdout.
@Suite struct StdioTransportTests {
    static let library = Result { try PluginLibrary("libStdioTransport.so") }

    /// A started instance, its host, its pipes and its client's id.
    struct Running {
        let plugin: PluginInstance
        let host: RecordingHost
        let pipes: PipePair
        let client: UInt64
    }

    static func start(_ extraConfig: String = "", host: RecordingHost = RecordingHost()) throws -> Running {
        let pipes = try PipePair()
        let config = "{\(pipes.config)\(extraConfig.isEmpty ? "" : ", " + extraConfig)}"
        let plugin = try PluginInstance(try library.get(), host: host, config: config)
        try plugin.start()
        guard case .opened(let client, _)? = host.events.first else { throw TestFailure("no client opened") }
        return Running(plugin: plugin, host: host, pipes: pipes, client: client)
    }

    @Test func describesItself() throws {
        let library = try Self.library.get()
        #expect(library.name == "stdio")
        #expect(library.descriptor.pointee.abi_major == UInt32(BRIDGE_PLUGIN_ABI_MAJOR))
    }

    @Test func announcesOneClientWithItsParent() throws {
        let running = try Self.start()
        guard case .opened(_, let peer)? = running.host.events.first else { return }
        #expect(peer.hasPrefix(#"{"transport":"stdio","parent_pid":"#))
        running.plugin.destroy()
    }

    @Test func newlineDelimitedRoundTrip() async throws {
        let running = try Self.start()
        #expect(running.plugin.send(running.client, #"{"early":1}"#) == BRIDGE_OK)
        _ = await running.pipes.output { $0.contains("early") }
        running.pipes.write("\n  {\"id\":1}\n\r\n{\"id\"")
        running.pipes.write(":2}\r\n")
        #expect(await running.host.waitFor { _ in running.host.messages(from: running.client).count == 2 })
        #expect(running.host.messages(from: running.client) == [#"{"id":1}"#, #"{"id":2}"#])
        #expect(running.plugin.send(running.client, #"{"id":1,"result":true}"#) == BRIDGE_OK)
        let output = await running.pipes.output { $0.contains("result") }
        #expect(output == "{\"early\":1}\n{\"id\":1,\"result\":true}\n")
        running.plugin.destroy()
    }

    @Test func contentLengthRoundTripAnswersInTheSameFraming() async throws {
        let running = try Self.start()
        running.pipes.write("\r\nContent-Length: 8\r\n\r\n{\"id\":1}content-length: 8\r\nContent-Type: x\r\n\r\n{\"id\":2}")
        #expect(await running.host.waitFor { _ in running.host.messages(from: running.client).count == 2 })
        #expect(running.host.messages(from: running.client) == [#"{"id":1}"#, #"{"id":2}"#])
        #expect(running.plugin.send(running.client, #"{"id":1,"result":1}"#) == BRIDGE_OK)
        let output = await running.pipes.output { $0.contains("result") }
        #expect(output == "Content-Length: 19\r\n\r\n{\"id\":1,\"result\":1}")
        running.plugin.destroy()
    }

    @Test func anOversizeMessageIsAnsweredByTheTransportAndReadingGoesOn() async throws {
        let running = try Self.start(#""max_message_bytes": 32"#)
        running.pipes.write("{\"id\":1,\"pad\":\"\(String(repeating: "x", count: 100))\"}\n{\"id\":2}\n")
        #expect(await running.host.waitFor { _ in !running.host.messages(from: running.client).isEmpty })
        #expect(running.host.messages(from: running.client) == [#"{"id":2}"#])
        let output = await running.pipes.output { $0.hasSuffix("\n") }
        #expect(output == #"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request: message exceeds 32 bytes"}}"# + "\n")
        running.plugin.destroy()
    }

    @Test func aContentLengthThatLiesCostsOneMessageAndAFramingError() async throws {
        let running = try Self.start()
        running.pipes.write("Content-Length: 5\r\n\r\n{\"id\":1,\"method\":\"x\"}Content-Length: 8\r\n\r\n{\"id\":2}")
        #expect(await running.host.waitFor { _ in running.host.messages(from: running.client).count == 2 })
        #expect(running.host.messages(from: running.client) == [#"{"id""#, #"{"id":2}"#])
        let error = #"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error: malformed header line"}}"#
        let output = await running.pipes.output { $0.hasSuffix("}") }
        #expect(output == "Content-Length: \(error.utf8.count)\r\n\r\n\(error)")
        running.plugin.destroy()
    }

    @Test func endOfStdinAsksForShutdownOnceAndStillWritesTheAnswers() async throws {
        let running = try Self.start()
        running.pipes.write("{\"id\":1}\n")
        running.pipes.closeInput()
        #expect(await running.host.waitFor { $0.contains(.shutdown("stdin closed")) })
        // The answer to what was asked still goes out, also when stopping right after.
        #expect(running.plugin.send(running.client, #"{"id":1,"result":{}}"#) == BRIDGE_OK)
        running.plugin.stop()
        #expect(await running.pipes.output { $0.hasSuffix("\n") } == #"{"id":1,"result":{}}"# + "\n")
        #expect(await running.pipes.waitForOutputEnd())
        let events = running.host.events
        #expect(events.dropFirst() == [.message(running.client, #"{"id":1}"#), .shutdown("stdin closed"),
                                       .closed(running.client, "transport stopped")])
        #expect(running.plugin.send(running.client, "{}") == BRIDGE_ERR_STOPPED)
        running.plugin.destroy()
    }

    @Test func aFullQueueRefusesUntilStdoutDrainsThenSaysWritable() async throws {
        let running = try Self.start(#""queue_max_messages": 4"#)
        let big = "[\"\(String(repeating: "x", count: 16 * 1024))\"]"
        var refusedAfter: Int?
        var busy = 0
        for sent in 0..<100 where refusedAfter == nil {
            switch running.plugin.send(running.client, big) {
            case BRIDGE_ERR_QUEUE_FULL: refusedAfter = sent
            case BRIDGE_OK_BUSY: busy += 1
            default: break
            }
        }
        let accepted = try #require(refusedAfter)
        #expect(accepted >= 4)
        let expected = String(repeating: big + "\n", count: accepted)
        let output = await running.pipes.output { $0.utf8.count >= expected.utf8.count }
        #expect(output == expected)
        #expect(await running.host.waitFor { $0.contains(.writable(running.client)) })
        // Writable follows a refusal (at the low-water mark) and every drain after a message
        // queued behind others (BRIDGE_OK_BUSY): how many drains fall within the sending loop
        // depends on how fast stdout is read, so the count is bounded, not exact.
        let writable = running.host.count { $0 == .writable(running.client) }
        #expect(writable >= 1 && writable <= busy + 2, "\(writable) writable after \(busy) busy and one refusal")
        #expect(running.plugin.send(running.client, "{}") == BRIDGE_OK)
        running.plugin.destroy()
    }

    /// ABI 1.3: while stdout is full, the message behind it is not taken, and a superseding
    /// send of the same stream replaces it; another stream's, or one with a message in the
    /// way, goes behind. What comes out is every message once, in order.
    @Test func anUntakenMessageIsSupersededThroughTheDescriptor() async throws {
        let running = try Self.start()
        let big = "[\"\(String(repeating: "x", count: 16 * 1024))\"]"
        for _ in 0..<20 { #expect(running.plugin.send(running.client, big).wasQueued) }  // far more than a pipe holds
        func supersede(_ stream: UInt64, _ combined: String?, _ alone: String) -> bridge_status? {
            running.plugin.sendSuperseding([running.client], streams: [stream], combined: combined, alone: alone).first
        }
        #expect(supersede(1, nil, "a")?.wasQueued == true)
        #expect(supersede(1, "ab", "b") == BRIDGE_OK_SUPERSEDED)
        #expect(supersede(2, "bc", "c")?.wasQueued == true, "another stream's message is not replaced")
        #expect(running.plugin.send(running.client, "d").wasQueued)
        #expect(supersede(2, "ce", "e")?.wasQueued == true, "a message in the way")
        #expect(running.plugin.sendSuperseding([running.client + 1], streams: [1], combined: "x", alone: "y") == [BRIDGE_ERR_UNKNOWN_CLIENT])
        let expected = String(repeating: big + "\n", count: 20) + "ab\nc\nd\ne\n"
        let output = await running.pipes.output { $0.utf8.count >= expected.utf8.count }
        #expect(output == expected)
        running.plugin.destroy()
    }

    @Test func closeClientFlushesTheFinalMessageThenEndsTheSession() async throws {
        let running = try Self.start(#""queue_max_messages": 2"#)
        #expect(running.plugin.send(running.client, "[1]") == BRIDGE_OK)
        running.plugin.close(running.client, final: #"{"method":"sync.reset"}"#, reason: "slow consumer")
        #expect(running.plugin.send(running.client, "[2]") == BRIDGE_ERR_UNKNOWN_CLIENT)
        #expect(await running.pipes.waitForOutputEnd())
        #expect(running.pipes.text == "[1]\n{\"method\":\"sync.reset\"}\n")
        #expect(await running.host.waitFor { $0.contains(.shutdown("slow consumer")) })
        #expect(running.host.events.dropFirst() == [.closed(running.client, "slow consumer"), .shutdown("slow consumer")])
        running.plugin.destroy()
    }

    @Test func closeClientGivesUpAfterTheTimeoutWhenStdoutIsNotRead() async throws {
        let running = try Self.start(#""queue_max_messages": 2, "close_timeout_seconds": 0.2"#)
        let big = "[\"\(String(repeating: "x", count: 64 * 1024))\"]"
        for _ in 0..<4 { _ = running.plugin.send(running.client, big) }
        let clock = ContinuousClock()
        let started = clock.now
        running.plugin.close(running.client, final: "[\"bye\"]", reason: "timeout test")
        #expect(await running.host.waitFor { $0.contains(.shutdown("timeout test")) })
        #expect(try #require(running.host.time(of: .shutdown("timeout test"))) - started < .seconds(3))
        #expect(running.host.events.contains(.closed(running.client, "timeout test")))
        running.plugin.destroy()
    }

    @Test func aBrokenStdoutEndsTheSession() async throws {
        let running = try Self.start()
        running.pipes.closeOutputReader()
        #expect(running.plugin.send(running.client, "[1]") == BRIDGE_OK)
        #expect(await running.host.waitFor { events in events.contains { if case .shutdown = $0 { true } else { false } } })
        #expect(running.host.events.contains(.closed(running.client, "stdout write failed: Broken pipe")))
        running.plugin.destroy()
    }

    @Test func stopIsPromptAndReportsTheClientOnce() throws {
        let running = try Self.start()
        let clock = ContinuousClock()
        let started = clock.now
        running.plugin.stop()
        #expect(clock.now - started < .seconds(1))
        #expect(running.host.events.dropFirst() == [.closed(running.client, "transport stopped")])
        #expect(running.plugin.send(running.client, "{}") == BRIDGE_ERR_STOPPED)
        running.plugin.close(running.client, final: nil, reason: "late")
        running.plugin.destroy()
        #expect(running.host.events.count == 2)
    }

    @Test func unknownClientsAreRefused() throws {
        let running = try Self.start()
        #expect(running.plugin.send(running.client + 1, "{}") == BRIDGE_ERR_UNKNOWN_CLIENT)
        #expect(running.plugin.sendMany([running.client, running.client + 1], "{}") == [BRIDGE_OK, BRIDGE_ERR_UNKNOWN_CLIENT])
        running.plugin.destroy()
    }

    @Test func configurationAndStartErrorsAreReported() throws {
        let library = try Self.library.get()
        #expect { try PluginInstance(library, host: RecordingHost(), config: #"{"inpt_fd": 0}"#) } throws: { error in
            "\(error)".contains(#"unknown configuration key "inpt_fd""#)
        }
        #expect { try PluginInstance(library, host: RecordingHost(), config: #"{"queue_max_bytes": 0}"#) } throws: { error in
            "\(error)".contains(#""queue_max_bytes" must be an integer ≥ 1"#)
        }
        let closedDescriptor = try PluginInstance(library, host: RecordingHost(), config: #"{"input_fd": 999}"#)
        #expect { try closedDescriptor.start() } throws: { "\($0)" == "input_fd 999 is not open for reading" }
        let refusingHost = RecordingHost(refusesClients: true)
        let pipes = try PipePair()
        let refused = try PluginInstance(library, host: refusingHost, config: "{\(pipes.config)}")
        #expect { try refused.start() } throws: { "\($0)" == "the host refused the stdio client" }
        #expect(refusingHost.events.isEmpty)
    }
}
