import BridgeTestSupport
import BridgeTesting
import Foundation
import Logging
import Testing
@testable import BridgeCore

/// A whole session (no plugins, no feed) on a scripted upstream, with the protocol's
/// methods and router, and clients on recording transports: requests take the path a
/// transport's messages take, without a plugin.
struct ScriptedSession {
    let methods: BridgeMethods
    let parts: SessionParts
    let router: RPCRouter

    /// Runs `body` once the session holds Unicat's data.
    static func run(_ upstream: ScriptedUpstream, _ body: (ScriptedSession) async throws -> Void) async throws {
        let directory = try TemporaryDirectory(prefix: "session")
        defer { directory.remove() }
        let configuration = BridgeConfiguration(
            upstream: .init(baseURL: ScriptedUpstream.baseURL, project: upstream.project, secretSource: .value(Secret(upstream.apiKey)),
                            caFile: nil, requestTimeout: 10, omitExtendedDefinitions: false),
            sync: .init(useSocketFeed: false, safetyPollSeconds: 3600),
            stateDirectory: directory.file("state").path, journalSize: 1_000, logLevel: "info", transports: [:], pluginDirectory: nil)
        var logger = Logger(label: "session-test")
        logger.logLevel = .critical
        let session = try BridgeSession(configuration: configuration, secret: Secret(upstream.apiKey), logger: logger, transport: upstream)
        let running = Task { try await session.run() }
        defer { running.cancel() }
        let methods = BridgeMethods(session: session.parts)
        _ = try await methods.readyPosition()
        try await body(ScriptedSession(methods: methods, parts: session.parts, router: RPCRouter(methods: methods)))
    }

    /// A client of a transport with `policy`.
    func connect(_ client: UInt64, policy: TransportPolicy = TransportPolicy()) async -> RecordingTransport {
        let transport = RecordingTransport(policy: policy)
        await parts.hub.register(client, transport: transport)
        return transport
    }

    /// The answer to one message from `client`, as JSON.
    func answer(_ message: JSONValue, from client: UInt64) async throws -> JSONValue {
        try await answer(message, from: RequestSource(client: client))
    }

    /// The answer to one message from `source`, as JSON.
    func answer(_ message: JSONValue, from source: RequestSource) async throws -> JSONValue {
        let reply = await router.handle(Array(message.encoded()), from: source)
        return try JSONValue.parse(try #require(reply.bytes))
    }
}
