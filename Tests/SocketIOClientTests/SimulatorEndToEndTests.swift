import BridgeTestSupport
import Foundation
import Logging
import SocketIOClient
import Testing

/// The client against the real python-socketio server of the Unicat simulator.
@Suite(.timeLimit(.minutes(1)))
struct SimulatorEndToEndTests {
    private func makeClient(_ server: SyncServer, caFile: String? = nil, counter: Counter? = nil,
                            token: @escaping @Sendable () -> String?) throws -> SocketIOClient {
        var configuration = SocketIOConfiguration(
            endpoint: try SocketIOEndpoint(baseURL: server.url, path: "/sync/io"), caFile: caFile,
            auth: {
                counter?.increment()
                return token().map { #"{"JWT":"\#($0)"}"# }
            })
        configuration.reconnectDelay = 0.05...0.5
        configuration.connectTimeout = 10
        return SocketIOClient(configuration: configuration, logger: testLogger("socketio-test"))
    }

    /// The cursors of the items in `sync` event arguments, which arrive as `[[items]]` or
    /// `[{"sync": [items]}]`.
    private func cursors(inSyncArguments arguments: String) throws -> [Int] {
        let value = try JSONSerialization.jsonObject(with: Data(arguments.utf8))
        guard let first = (value as? [Any])?.first else { return [] }
        let items = (first as? [Any]) ?? ((first as? [String: Any])?["sync"] as? [Any]) ?? []
        return items.compactMap { ($0 as? [String: Any])?["cursor"] as? Int }
    }

    @Test func connectsWithAuthAndAnswersALargeInitsyncByAck() async throws {
        // A large page makes the initsync ack a multi-hundred-kilobyte message.
        try await SyncServer.with(["--page-size", "5000"]) { server in
            let token = try await server.jwt()
            let calls = Counter()
            let client = try makeClient(server, counter: calls) { token }
            let recorder = EventRecorder(client)
            client.start()
            defer { client.stop() }

            try await recorder.waitForConnected()
            #expect(calls.count == 1)
            guard case .connected(let sid) = recorder.events.first else {
                Issue.record("first event is not .connected: \(recorder.events)")
                return
            }
            #expect(!sid.isEmpty)

            try await server.control("/changes", ["count": 1000])
            let reply = try await client.emitWithAck("initsync", argumentsJSON: try await server.initsyncArguments(fromStart: true),
                                                     timeout: 20)
            let parsed = try JSONSerialization.jsonObject(with: Data(reply.utf8)) as? [Any]
            let first = parsed?.first as? [String: Any]
            let items = (first?["sync"] as? [[String: Any]]) ?? []
            #expect(items.count >= 1000, "initsync reply of \(reply.utf8.count) bytes: \(reply.prefix(300))")
            #expect(reply.utf8.count > 100_000)
            #expect(items.allSatisfy { $0["cursor"] is Int })
        }
    }

    @Test func badJWTIsAConnectErrorAndTheClientKeepsRetrying() async throws {
        try await SyncServer.with { server in
            let calls = Counter()
            let client = try makeClient(server, counter: calls) { "not-a-valid-jwt" }
            let recorder = EventRecorder(client)
            client.start()
            defer { client.stop() }

            try await recorder.wait("two connect errors") { _ in recorder.connectErrors.count >= 2 }
            #expect(recorder.connectedCount == 0)
            #expect(calls.count >= 2)
            #expect(!(recorder.connectErrors.first ?? "").isEmpty)
            #expect(!client.emit("initsync"))
            await #expect(throws: SocketIOError.notConnected) {
                try await client.emitWithAck("initsync", timeout: 1)
            }
        }
    }

    @Test func syncEventsArriveInOrderForABurstOfChanges() async throws {
        try await SyncServer.with { server in
            let token = try await server.jwt()
            let client = try makeClient(server) { token }
            let recorder = EventRecorder(client)
            client.start()
            defer { client.stop() }

            try await recorder.waitForConnected()
            // initsync subscribes this socket to the project's items.
            _ = try await client.emitWithAck("initsync", argumentsJSON: try await server.initsyncArguments(), timeout: 10)
            let burst = 200
            try await server.control("/changes", ["count": burst])
            try await recorder.wait("\(burst) synced cursors") { _ in
                let all = recorder.events(named: "sync").flatMap { (try? self.cursors(inSyncArguments: $0)) ?? [] }
                return all.count >= burst
            }
            let cursors = try recorder.events(named: "sync").flatMap { try self.cursors(inSyncArguments: $0) }
            #expect(cursors == cursors.sorted())
            #expect(Set(cursors).count == cursors.count)
        }
    }

    @Test func serverDropReconnectsWithAFreshAuthPayload() async throws {
        try await SyncServer.with { server in
            let token = try await server.jwt()
            let calls = Counter()
            let client = try makeClient(server, counter: calls) { token }
            let recorder = EventRecorder(client)
            client.start()
            defer { client.stop() }

            try await recorder.waitForConnected()
            try await server.control("/socketio/drop")
            try await recorder.waitForConnected(count: 2)
            #expect(recorder.disconnects.count == 1)
            #expect(calls.count == 2)
            let reply = try await client.emitWithAck("initsync", argumentsJSON: try await server.initsyncArguments(), timeout: 10)
            #expect(reply.hasPrefix("["))

            // reconnectNow drops the healthy connection and connects again at once.
            client.reconnectNow()
            try await recorder.waitForConnected(count: 3)
            #expect(recorder.disconnects.last == "reconnect requested")
            #expect(calls.count == 3)
        }
    }

    @Test func stopWhileConnectedIsPromptAndFinishesTheStream() async throws {
        try await SyncServer.with { server in
            let token = try await server.jwt()
            let client = try makeClient(server) { token }
            let recorder = EventRecorder(client)
            client.start()
            try await recorder.waitForConnected()

            let pending = Task { try await client.emitWithAck("no-such-event-handler", timeout: 30) }
            try await Task.sleep(for: .milliseconds(100))
            let seconds = elapsed { client.stop() }
            #expect(seconds < 2)
            await #expect(throws: SocketIOError.self) { try await pending.value }
            try await recorder.wait("stream finished") { _ in recorder.finished }
            #expect(!client.emit("initsync"))
            client.stop()  // idempotent
        }
    }
}

/// wss against the simulator with a throwaway CA.
@Suite(.timeLimit(.minutes(1)))
struct SimulatorTLSTests {
    @Test func verifiesAgainstTheGivenCAAndRejectsAnotherOne() async throws {
        let directory = try TemporaryDirectory(prefix: "socketio-tls")
        defer { directory.remove() }
        let trusted = try TestCertificates(directory: directory.url, name: "trusted")
        let other = try TestCertificates(directory: directory.url, name: "other")
        try await SyncServer.with(["--tls-cert", trusted.certificateFile, "--tls-key", trusted.privateKeyFile]) { server in
            #expect(server.url.hasPrefix("https://"))
            let token = try await server.jwt(caFile: trusted.caFile)

            func client(caFile: String) throws -> SocketIOClient {
                var configuration = SocketIOConfiguration(
                    endpoint: try SocketIOEndpoint(baseURL: server.url, path: "/sync/io"), caFile: caFile,
                    auth: { #"{"JWT":"\#(token)"}"# })
                configuration.reconnectDelay = 0.05...0.2
                return SocketIOClient(configuration: configuration, logger: testLogger("socketio-tls"))
            }

            // The right CA: connected, and the feed works over TLS.
            let good = try client(caFile: trusted.caFile)
            let goodEvents = EventRecorder(good)
            good.start()
            defer { good.stop() }
            try await goodEvents.waitForConnected()
            let reply = try await good.emitWithAck("initsync", argumentsJSON: try await server.initsyncArguments(fromStart: true),
                                                   timeout: 10)
            #expect(reply.hasPrefix("["))

            // Another CA: the handshake fails with a TLS reason, again and again, without a crash.
            let bad = try client(caFile: other.caFile)
            let badEvents = EventRecorder(bad)
            bad.start()
            try await badEvents.wait("two TLS failures") { _ in badEvents.disconnects.count >= 2 }
            let reason = badEvents.disconnects.first ?? ""
            #expect(reason.contains("SSL") || reason.contains("certificate") || reason.contains("TLS"), "\(reason)")
            #expect(badEvents.connectedCount == 0 && badEvents.connectErrors.isEmpty)
            let seconds = elapsed { bad.stop() }
            #expect(seconds < 1.5)
        }
    }
}
