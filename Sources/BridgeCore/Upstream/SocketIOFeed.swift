import Logging
import SocketIOClient

/// What an upstream does with its socket.io feed: what a connect, a disconnect, a refused
/// connect and each event mean for its sync engine.
protocol SocketIOFeedHandler: Sendable {
    func connected() async
    func disconnected() async
    func refused(_ message: String) async
    func event(_ name: String, arguments: [JSONValue]) async
}

/// Runs an upstream's socket.io feed until the task is cancelled: starts the client, tells
/// the upstream's health whether the feed is connected, and hands every event, in order, to
/// the handler. The client reconnects by itself; the handler decides what a reconnect means.
struct SocketIOFeed: Sendable {
    let client: SocketIOClient
    /// Names the feed in the log ("sync feed", "Zou event stream").
    let name: String
    let health: UpstreamHealth
    let logger: Logger

    /// Renews the credentials the feed presents, then reconnects at once; a renewal that
    /// fails is the upstream's failure, logged with `failure` in front.
    func reconnect(renewing renew: () async throws -> Void, failure: String) async {
        do {
            try await renew()
            client.reconnectNow()
        } catch {
            health.httpFailed(error)
            logger.error("\(failure): \(error)")
        }
    }

    func run(_ handler: some SocketIOFeedHandler) async {
        client.start()
        defer { client.stop() }
        await withTaskCancellationHandler {
            for await event in client.events {
                switch event {
                case .connected:
                    logger.info("\(name) connected")
                    health.feed(connected: true)
                    await handler.connected()
                case .disconnected(let reason):
                    logger.info("\(name) disconnected: \(reason)")
                    health.feed(connected: false)
                    await handler.disconnected()
                case .connectError(let message, _):
                    health.feed(connected: false)
                    await handler.refused(message)
                case .event(let name, let argumentsJSON):
                    await handler.event(name, arguments: (try? JSONValue.parse(argumentsJSON))?.arrayValue ?? [])
                }
            }
        } onCancel: { [client] in
            client.stop()
        }
    }
}
