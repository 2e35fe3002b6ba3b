import Foundation
import Logging
import SocketIOClient
import Synchronization

/// Follows Zou's event stream (socket.io namespace `/events`, the access token in the
/// CONNECT payload `{"token": ...}`) and turns it into work for the sync engine. With the
/// event log an event is only a trigger to read the log; without it, events are numbered
/// as they come and every (re)connect starts a new epoch, since nothing tells what was
/// missed. Zou never re-checks a live connection's token, so the token matters only at
/// each (re)connect: it is renewed before the client reconnects.
final class ZouEventFeed: Sendable {
    private let client: SocketIOClient
    private let session: ZouSession
    private let log: ZouChangeLog
    private let engine: SyncEngine
    private let health: UpstreamHealth
    private let logger: Logger

    init(eventsURL: String, caFile: String?, session: ZouSession, log: ZouChangeLog, engine: SyncEngine,
         health: UpstreamHealth, logger: Logger) throws {
        var configuration = SocketIOConfiguration(
            endpoint: try SocketIOEndpoint(baseURL: eventsURL, path: "/socket.io"), caFile: caFile,
            // Asked on every (re)connect: the token renewed after the last disconnect.
            auth: { session.heldAccessToken.map { JSONValue.object(["token": .string($0.reveal())]).encodedString() } })
        configuration.namespace = "/events"
        client = SocketIOClient(configuration: configuration, logger: logger)
        self.session = session
        self.log = log
        self.engine = engine
        self.health = health
        self.logger = logger
    }

    func run() async {
        _ = try? await session.accessToken()
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
            logger.info("Zou event stream connected")
            health.feed(connected: true)
            if log.mode == .live {
                // The snapshot predates this connection, and Zou replays nothing.
                engine.requestNewEpoch(reason: "Zou's event stream (re)connected, and without the event log what it missed cannot be known",
                                       basis: ZouUpstream.freshBasis())
            } else {
                engine.requestCatchUp()
            }
        case .disconnected(let reason):
            logger.info("Zou event stream disconnected: \(reason)")
            health.feed(connected: false)
            // Renewed now, so the reconnect presents a token Zou accepts.
            _ = try? await session.accessToken()
        case .connectError(let message, _):
            logger.warning("Zou's event stream refused the connection: \(message); renewing the access token")
            health.feed(connected: false)
            do {
                try await session.renewAfterRefusal()
                client.reconnectNow()
            } catch {
                health.httpFailed(error)
                logger.error("cannot renew Zou's access token: \(error)")
            }
        case .event(let name, let argumentsJSON):
            let payload = (try? JSONValue.parse(argumentsJSON))?.arrayValue?.first ?? .object([:])
            if log.received(event: name, payload: payload) { engine.requestCatchUp() }
        }
    }
}
