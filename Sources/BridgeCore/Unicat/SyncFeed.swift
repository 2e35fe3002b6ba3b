import Foundation
import Logging
import SocketIOClient

/// Follows Unicat's socket.io feed at `/sync/io` and turns it into triggers for the sync
/// engine. It is never the authority: every (re)connect is followed by an HTTP catch-up,
/// and items it pushes are applied only when they continue the streams without a gap.
public final class SyncFeed: Sendable {
    private let client: SocketIOClient
    private let engine: SyncEngine
    private let upstream: UpstreamClient
    private let health: UpstreamHealth
    private let project: String
    private let logger: Logger

    public init(baseURL: String, caFile: String?, project: String, upstream: UpstreamClient, engine: SyncEngine,
                health: UpstreamHealth, logger: Logger) throws {
        let credentials = upstream.credentials
        let configuration = SocketIOConfiguration(
            endpoint: try SocketIOEndpoint(baseURL: baseURL, path: "/sync/io"),
            caFile: caFile,
            // Asked on every (re)connect, so the socket always presents the current JWT.
            auth: { credentials.token.map { JSONValue.object(["JWT": .string($0.reveal())]).encodedString() } })
        client = SocketIOClient(configuration: configuration, logger: logger)
        self.engine = engine
        self.upstream = upstream
        self.health = health
        self.project = project
        self.logger = logger
    }

    /// Runs until the task is cancelled.
    public func run() async {
        client.start()
        defer { client.stop() }
        await withTaskCancellationHandler {
            for await event in client.events {
                await handle(event)
            }
        } onCancel: { [client] in
            client.stop()
        }
    }

    private func handle(_ event: SocketIOEvent) async {
        switch event {
        case .connected:
            logger.info("sync feed connected")
            health.feed(connected: true)
            await initialSync()
        case .disconnected(let reason):
            logger.info("sync feed disconnected: \(reason)")
            health.feed(connected: false)
        case .connectError(let message, _):
            // Most likely the JWT: re-authenticate over HTTP, then the client reconnects
            // presenting the new token.
            logger.warning("sync feed refused the connection: \(message); re-authenticating")
            health.feed(connected: false)
            await reauthenticate()
        case .event(let name, let argumentsJSON):
            handleEvent(name, arguments: (try? JSONValue.parse(argumentsJSON))?.arrayValue ?? [])
        }
    }

    private func handleEvent(_ name: String, arguments: [JSONValue]) {
        switch name {
        case "sync":
            pushItems(arguments)
        case "initsync":
            // The server answered initsync with an event instead of an ack.
            if pushItems(arguments) { engine.requestCatchUp() }
        case "authorization":
            guard let payload = arguments.first else { return }
            if let token = payload["JWT"]?.stringValue ?? payload.stringValue {
                upstream.credentials.adopt(token)
                logger.debug("adopted a refreshed JWT from the sync feed")
            } else if payload["success"]?.boolValue == false {
                logger.warning("sync feed reported an authorization failure; re-authenticating")
                Task { await reauthenticate() }
            }
        default:
            logger.debug("ignored sync feed event \(name)")
        }
    }

    /// Hands the items of a `sync`/`initsync` payload to the engine; returns whether the
    /// payload said more data is waiting.
    @discardableResult
    private func pushItems(_ arguments: [JSONValue]) -> Bool {
        var more = false
        for argument in arguments {
            let (items, malformed, warning) = SyncItem.parseList(argument)
            if malformed > 0 { logger.error("ignored \(malformed) malformed sync item(s) from the sync feed") }
            engine.push(items)
            more = more || warning
        }
        return more
    }

    private func initialSync() async {
        guard let cursors = engine.position?.cursors else { return }
        let request = JSONValue.array([cursors.syncRequest(project: project)]).encodedString()
        do {
            let reply = try await client.emitWithAck("initsync", argumentsJSON: request, timeout: 30)
            if pushItems((try? JSONValue.parse(reply))?.arrayValue ?? []) { engine.requestCatchUp() }
        } catch {
            logger.debug("initsync was not acknowledged (\(error)); relying on /sync/get")
        }
        // HTTP is the authority for what happened while disconnected, and the check for a
        // rewound cursor.
        engine.requestCatchUp(verifyCursors: true)
    }

    private func reauthenticate() async {
        do {
            try await upstream.authenticate()
            client.reconnectNow()
        } catch {
            health.httpFailed(error)
            logger.error("re-authentication failed: \(error)")
        }
    }
}
