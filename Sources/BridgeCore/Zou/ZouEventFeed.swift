import Foundation
import Logging
import SocketIOClient

/// Follows Zou's event stream (socket.io namespace `/events`, the access token in the
/// CONNECT payload `{"token": ...}`) and turns it into work for the sync engine. With the
/// event log an event is only a trigger to read the log; without it, events are numbered
/// as they come and every (re)connect starts a new epoch, since nothing tells what was
/// missed. Zou never re-checks a live connection's token, so the token matters only at
/// each (re)connect: it is renewed before the client reconnects.
final class ZouEventFeed: SocketIOFeedHandler {
    private let feed: SocketIOFeed
    private let session: ZouSession
    private let log: ZouChangeLog
    private let engine: SyncEngine
    private let logger: Logger

    init(eventsURL: String, caFile: String?, session: ZouSession, log: ZouChangeLog, engine: SyncEngine,
         health: UpstreamHealth, logger: Logger) throws {
        var configuration = SocketIOConfiguration(
            endpoint: try SocketIOEndpoint(baseURL: eventsURL, path: "/socket.io"), caFile: caFile,
            // Asked on every (re)connect: the token renewed after the last disconnect.
            auth: { session.heldAccessToken.map { JSONValue.object(["token": .string($0.reveal())]).encodedString() } })
        configuration.namespace = "/events"
        feed = SocketIOFeed(client: SocketIOClient(configuration: configuration, logger: logger), name: "Zou event stream",
                            health: health, logger: logger)
        self.session = session
        self.log = log
        self.engine = engine
        self.logger = logger
    }

    func run() async {
        _ = try? await session.accessToken()
        await feed.run(self)
    }

    func connected() async {
        if log.mode == .live {
            // The snapshot predates this connection, and Zou replays nothing.
            engine.requestNewEpoch(reason: "Zou's event stream (re)connected, and without the event log what it missed cannot be known",
                                   basis: ZouUpstream.freshBasis())
        } else {
            engine.requestCatchUp()
        }
    }

    func disconnected() async {
        // Renewed now, so the reconnect presents a token Zou accepts.
        _ = try? await session.accessToken()
    }

    func refused(_ message: String) async {
        logger.warning("Zou's event stream refused the connection: \(message); renewing the access token")
        await feed.reconnect(renewing: { try await session.renewAfterRefusal() }, failure: "cannot renew Zou's access token")
    }

    func event(_ name: String, arguments: [JSONValue]) async {
        if log.received(event: name, payload: arguments.first ?? .object([:])) { engine.requestCatchUp() }
    }
}
