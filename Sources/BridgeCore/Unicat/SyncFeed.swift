import Foundation
import Logging
import SocketIOClient

/// Follows Unicat's socket.io feed at `/sync/io` and turns it into triggers for the sync
/// engine. It is never the authority: every (re)connect is followed by an HTTP catch-up,
/// and items it pushes are applied only when they continue the streams without a gap.
public final class SyncFeed: SocketIOFeedHandler {
    private let feed: SocketIOFeed
    private let engine: SyncEngine
    private let upstream: UpstreamClient
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
        feed = SocketIOFeed(client: SocketIOClient(configuration: configuration, logger: logger), name: "sync feed",
                            health: health, logger: logger)
        self.engine = engine
        self.upstream = upstream
        self.project = project
        self.logger = logger
    }

    /// Runs until the task is cancelled.
    public func run() async {
        await feed.run(self)
    }

    func connected() async {
        await initialSync()
    }

    func disconnected() async {}

    func refused(_ message: String) async {
        // Most likely the JWT: re-authenticate over HTTP, then the client reconnects
        // presenting the new token.
        logger.warning("sync feed refused the connection: \(message); re-authenticating")
        await reauthenticate()
    }

    func event(_ name: String, arguments: [JSONValue]) async {
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
            let reply = try await feed.client.emitWithAck("initsync", argumentsJSON: request, timeout: 30)
            if pushItems((try? JSONValue.parse(reply))?.arrayValue ?? []) { engine.requestCatchUp() }
        } catch {
            logger.debug("initsync was not acknowledged (\(error)); relying on /sync/get")
        }
        // HTTP is the authority for what happened while disconnected, and the check for a
        // rewound cursor.
        engine.requestCatchUp(verifyCursors: true)
    }

    private func reauthenticate() async {
        await feed.reconnect(renewing: { try await upstream.authenticate() }, failure: "re-authentication failed")
    }
}
